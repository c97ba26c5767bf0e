-- wrk script for bench/speke.sh: every request is a SPEKE 2.0 / CPIX 2.3
-- request for 10 new keys (5 key periods x video + audio), each with
-- Widevine and PlayReady DASH signalling, under a new content id.
local counter = 0
local function uuid()
  return string.format("%08x-%04x-4%03x-%04x-%012x", math.random(0, 0x7fffffff), math.random(0, 0xffff),
    math.random(0, 0xfff), 0x8000 + math.random(0, 0x3fff), math.random(0, 0xffffffffff))
end

function setup(thread)
  thread:set("id", tostring(math.random(1, 1e9)))
end

function init(args)
  math.randomseed(os.time() + tonumber(id))
end

function request()
  counter = counter + 1
  local keys, systems, periods, rules = {}, {}, {}, {}
  for p = 0, 4 do
    table.insert(periods, string.format('<cpix:ContentKeyPeriod id="p%d" index="%d"/>', p, p))
    for _, tr in ipairs({"VIDEO", "AUDIO"}) do
      local kid = uuid()
      table.insert(keys, '<cpix:ContentKey kid="' .. kid .. '" commonEncryptionScheme="cenc"/>')
      for _, sys in ipairs({"edef8ba9-79d6-4ace-a3c8-27dcd51d21ed", "9a04f079-9840-4286-ab92-e65be0885f95"}) do
        table.insert(systems, '<cpix:DRMSystem kid="' .. kid .. '" systemId="' .. sys .. '"><cpix:PSSH/><cpix:ContentProtectionData/></cpix:DRMSystem>')
      end
      local filter = tr == "VIDEO" and "<cpix:VideoFilter/>" or "<cpix:AudioFilter/>"
      table.insert(rules, string.format('<cpix:ContentKeyUsageRule kid="%s" intendedTrackType="%s"><cpix:KeyPeriodFilter periodId="p%d"/>%s</cpix:ContentKeyUsageRule>', kid, tr, p, filter))
    end
  end
  local body = '<?xml version="1.0" encoding="UTF-8"?><cpix:CPIX contentId="wrk-' .. id .. '-' .. counter ..
    '" version="2.3" xmlns:cpix="urn:dashif:org:cpix" xmlns:pskc="urn:ietf:params:xml:ns:keyprov:pskc">' ..
    '<cpix:ContentKeyList>' .. table.concat(keys) .. '</cpix:ContentKeyList>' ..
    '<cpix:DRMSystemList>' .. table.concat(systems) .. '</cpix:DRMSystemList>' ..
    '<cpix:ContentKeyPeriodList>' .. table.concat(periods) .. '</cpix:ContentKeyPeriodList>' ..
    '<cpix:ContentKeyUsageRuleList>' .. table.concat(rules) .. '</cpix:ContentKeyUsageRuleList></cpix:CPIX>'
  return wrk.format("POST", nil, nil, body)
end

function response(status, headers, body)
  if status ~= 200 then
    print("status " .. status .. ": " .. body)
    wrk.thread:stop()
  end
end
