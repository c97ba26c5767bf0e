// Lockstream player page (served at /player). Plays a streaming URL with
// Shaka Player, sending a playback token on license and key requests only.
//
// Rules this file keeps:
//  - Tokens and passwords live in form fields and in the requests that
//    need them; never in the page URL, storage, the console or the log
//    shown on the page (URLs shown there have their token= removed).
//  - Everything displayed is set with textContent, never parsed as HTML:
//    the manifest, token claims and server answers are untrusted.
//  - No inline script or eval (the page's Content-Security-Policy forbids
//    both).
'use strict';

(() => {
  const $ = (id) => document.getElementById(id);
  const CLEARKEY = 'org.w3.clearkey';
  const WIDEVINE = 'com.widevine.alpha';
  const PLAYREADY = 'com.microsoft.playready';
  const FAIRPLAY = 'com.apple.fps';
  // DASH ContentProtection schemes and HLS KEYFORMATs (drm-and-tokens.md §1).
  const SCHEMES = {
    'urn:uuid:e2719d58-a985-b3c9-781a-b030af78d30e': CLEARKEY, // DASH-IF Clear Key
    'urn:uuid:1077efec-c0b2-4d02-ace3-3c1e52e2fb4b': CLEARKEY, // W3C common PSSH
    'urn:uuid:edef8ba9-79d6-4ace-a3c8-27dcd51d21ed': WIDEVINE,
    'urn:uuid:9a04f079-9840-4286-ab92-e65be0885f95': PLAYREADY,
  };
  const KEYFORMATS = {
    'org.w3.clearkey': CLEARKEY,
    'urn:uuid:edef8ba9-79d6-4ace-a3c8-27dcd51d21ed': WIDEVINE,
    'com.microsoft.playready': PLAYREADY,
    'com.apple.streamingkeydelivery': FAIRPLAY,
  };
  const FIELDS = { [CLEARKEY]: 'lic-clearkey', [WIDEVINE]: 'lic-widevine', [PLAYREADY]: 'lic-playready', [FAIRPLAY]: 'lic-fairplay' };
  const NAMES = { [CLEARKEY]: 'W3C Clear Key', [WIDEVINE]: 'Widevine', [PLAYREADY]: 'PlayReady', [FAIRPLAY]: 'FairPlay' };

  const state = {
    cfg: { sts: 'sts', keyDelivery: 'keydelivery', apiVersion: '2023-01-01', shakaVersion: '', originScheme: location.protocol },
    player: null,
    poll: 0,
    mediaServiceId: '', // of the account picked, for the key-delivery fallback
    endpointHost: '',
    stsGrantOBO: '', // the STS's on-behalf-of grant type, when it offers one
  };

  // ---- output -------------------------------------------------------

  // redact removes tokens from a URL or message before it is shown.
  function redact(s) {
    return String(s).replace(/([?&](?:token|Bearer)=)[^&#\s"]*/gi, '$1…');
  }

  function log(msg, kind) {
    const li = document.createElement('li');
    li.textContent = new Date().toLocaleTimeString() + '  ' + redact(msg);
    if (kind) li.className = kind;
    const list = $('log');
    list.insertBefore(li, list.firstChild);
    while (list.children.length > 100) list.removeChild(list.lastChild);
  }

  function status(msg, kind) {
    const s = $('status');
    s.textContent = redact(msg);
    s.className = 'status' + (kind ? ' ' + kind : '');
  }

  function truncate(s, n) {
    s = String(s == null ? '' : s);
    return s.length > n ? s.slice(0, n) + '…' : s;
  }

  // ---- small helpers ------------------------------------------------

  function bareToken() {
    return $('token').value.trim().replace(/^bearer\s+/i, '');
  }

  function withQuery(u, name, value) {
    const url = new URL(u, location.href);
    url.searchParams.set(name, value);
    return url.toString();
  }

  async function fetchJSON(url, opts) {
    const resp = await fetch(url, Object.assign({ cache: 'no-store', credentials: 'omit' }, opts || {}));
    const text = await resp.text();
    let body = null;
    try { body = text ? JSON.parse(text) : null; } catch (e) { body = null; }
    if (!resp.ok) {
      const e = body && (body.error_description || (body.error && (body.error.message || body.error)));
      throw new Error(`${resp.status} ${typeof e === 'string' ? e : truncate(text, 200)}`);
    }
    return body;
  }

  // ---- manifest inspection ------------------------------------------

  // proLAURL extracts LA_URL from a base64 PlayReady Object (little-endian
  // length, record count, then records of type 1 = UTF-16LE WRMHEADER).
  function proLAURL(b64) {
    try {
      const bin = atob(b64.replace(/\s+/g, ''));
      const bytes = new Uint8Array(bin.length);
      for (let i = 0; i < bin.length; i++) bytes[i] = bin.charCodeAt(i);
      const dv = new DataView(bytes.buffer);
      const count = dv.getUint16(4, true);
      let off = 6;
      for (let i = 0; i < count && off + 4 <= bytes.length; i++) {
        const type = dv.getUint16(off, true);
        const len = dv.getUint16(off + 2, true);
        off += 4;
        if (type === 1) {
          const xml = new TextDecoder('utf-16le').decode(bytes.subarray(off, off + len));
          const m = /<LA_URL>([^<]*)<\/LA_URL>/i.exec(xml);
          if (m) return m[1].replace(/&amp;/g, '&');
        }
        off += len;
      }
    } catch (e) { /* not a PRO: nothing to fill in */ }
    return '';
  }

  function childText(el, localName) {
    for (const c of el.getElementsByTagName('*')) {
      if (c.localName.toLowerCase() === localName.toLowerCase()) return (c.textContent || '').trim();
    }
    return '';
  }

  function inspectDASH(text, found) {
    const doc = new DOMParser().parseFromString(text, 'application/xml');
    if (doc.getElementsByTagName('parsererror').length) throw new Error('the MPD is not well-formed XML');
    for (const cp of doc.getElementsByTagNameNS('*', 'ContentProtection')) {
      const scheme = (cp.getAttribute('schemeIdUri') || '').toLowerCase();
      if (scheme === 'urn:mpeg:dash:mp4protection:2011') {
        found.scheme = cp.getAttribute('value') || found.scheme;
        continue;
      }
      const ks = SCHEMES[scheme];
      if (!ks) continue;
      let url = childText(cp, 'Laurl'); // matched case-insensitively: older MPDs spell it laurl
      if (!url && ks === PLAYREADY) url = childText(cp, 'la_url') || proLAURL(childText(cp, 'pro'));
      if (!url && ks === WIDEVINE) {
        for (const c of cp.getElementsByTagName('*')) if (c.getAttribute('licenseUrl')) url = c.getAttribute('licenseUrl');
      }
      found.add(ks, url);
    }
  }

  function hlsAttrs(line) {
    const out = {};
    const re = /([A-Z0-9-]+)=("[^"]*"|[^,]*)/g;
    let m;
    while ((m = re.exec(line))) out[m[1]] = m[2].replace(/^"|"$/g, '');
    return out;
  }

  // fairPlayCertificateURL derives the application certificate URL from
  // a Lockstream FairPlay key server URL, or returns ''.
  function fairPlayCertificateURL(u) {
    try {
      const url = new URL(u);
      if (!/\/FairPlay\/?$/i.test(url.pathname)) return '';
      url.pathname = url.pathname.replace(/\/FairPlay\/?$/i, '/FairPlay/certificate');
      return url.toString();
    } catch (e) {
      return '';
    }
  }

  // toBase64 and fromBase64 convert between bytes and base64 text.
  function toBase64(buf) {
    const b = new Uint8Array(buf);
    let s = '';
    for (let i = 0; i < b.length; i++) s += String.fromCharCode(b[i]);
    return btoa(s);
  }
  function fromBase64(text) {
    const s = atob(text);
    const out = new Uint8Array(s.length);
    for (let i = 0; i < s.length; i++) out[i] = s.charCodeAt(i);
    return out;
  }

  // skdToURL maps a FairPlay skd:// URI back to its key server, as the
  // origin wrote it (skd:// replaces the scheme of Lockstream's URL).
  function skdToURL(u) {
    return u.replace(/^skd:\/\//i, location.protocol + '//');
  }

  function inspectHLS(text, base, found) {
    let firstVariant = '';
    const lines = text.split(/\r?\n/);
    for (let i = 0; i < lines.length; i++) {
      const line = lines[i].trim();
      if (/^#EXT-X-(SESSION-)?KEY:/.test(line)) {
        const a = hlsAttrs(line.slice(line.indexOf(':') + 1));
        const method = a.METHOD || '';
        if (method === 'NONE') continue;
        if (method === 'AES-128') {
          found.aes = new URL(a.URI, base).toString();
          continue;
        }
        const ks = KEYFORMATS[(a.KEYFORMAT || 'identity').toLowerCase()];
        if (!ks) continue;
        found.scheme = method === 'SAMPLE-AES-CTR' ? 'cenc' : 'cbcs';
        let url = '';
        if (ks === CLEARKEY && a.URI && !/^data:/i.test(a.URI)) url = new URL(a.URI, base).toString().replace(/[?&]kid=[^&]*$/i, '');
        if (ks === FAIRPLAY && a.URI) url = skdToURL(a.URI);
        if (ks === PLAYREADY && /^data:.*base64,/i.test(a.URI || '')) url = proLAURL(a.URI.slice(a.URI.indexOf(',') + 1));
        found.add(ks, url);
      } else if (line.startsWith('#EXT-X-STREAM-INF') && !firstVariant) {
        for (let j = i + 1; j < lines.length; j++) {
          const v = lines[j].trim();
          if (v && !v.startsWith('#')) { firstVariant = new URL(v, base).toString(); break; }
        }
      }
    }
    return firstVariant;
  }

  function inspectSmooth(text, found) {
    const doc = new DOMParser().parseFromString(text, 'application/xml');
    for (const h of doc.getElementsByTagName('ProtectionHeader')) {
      if ((h.getAttribute('SystemID') || '').toLowerCase().replace(/[{}]/g, '') === '9a04f079-9840-4286-ab92-e65be0885f95') {
        found.add(PLAYREADY, proLAURL(h.textContent || ''));
      }
    }
  }

  async function fetchText(url) {
    const resp = await fetch(url, { cache: 'no-store', credentials: 'omit' });
    if (!resp.ok) {
      const body = await resp.text().catch(() => '');
      throw new Error(`${resp.status} ${truncate(body, 200)}`);
    }
    return resp.text();
  }

  // inspect reads the manifest and fills in the license servers it
  // signals; fields the user already typed in are left alone.
  async function inspect() {
    const url = $('url').value.trim();
    const list = $('signals');
    list.textContent = '';
    if (!url) return null;
    const found = {
      systems: {}, aes: '', scheme: '',
      add(ks, u) { if (!(ks in this.systems) || (!this.systems[ks] && u)) this.systems[ks] = u || ''; },
    };
    const text = await fetchText(url);
    if (/^\s*#EXTM3U/.test(text)) {
      const variant = inspectHLS(text, url, found);
      if (variant && !found.aes && !Object.keys(found.systems).length) inspectHLS(await fetchText(variant), variant, found);
    } else if (/<MPD[\s>]/.test(text)) {
      inspectDASH(text, found);
    } else if (/<SmoothStreamingMedia[\s>]/.test(text)) {
      inspectSmooth(text, found);
    } else {
      throw new Error('not a DASH, HLS or Smooth manifest');
    }
    if (found.systems[CLEARKEY] === '' && state.mediaServiceId) {
      // Signalled without a URL: Lockstream's own key delivery.
      found.systems[CLEARKEY] = new URL(`${state.cfg.keyDelivery}/${encodeURIComponent(state.mediaServiceId)}/ClearKey/`, location.href).toString();
    }
    const item = (text) => { const li = document.createElement('li'); li.textContent = redact(text); list.appendChild(li); };
    if (found.aes) item(`HLS AES-128: key from ${found.aes}`);
    for (const ks of Object.keys(found.systems)) {
      const u = found.systems[ks];
      item(`${NAMES[ks]}${found.scheme ? ' (' + found.scheme + ')' : ''}: ${u || 'no license URL in the manifest'}`);
      if (u && !$(FIELDS[ks]).value.trim()) $(FIELDS[ks]).value = u;
    }
    if (!found.aes && !Object.keys(found.systems).length) item('No encryption signalled: clear stream.');
    const fp = $('lic-fairplay').value.trim();
    if (fp && !$('cert-fairplay').value.trim()) {
      // Lockstream serves the policy's FPS application certificate next
      // to its key server: …/FairPlay/certificate?kid=…
      const cert = fairPlayCertificateURL(fp);
      if (cert) $('cert-fairplay').value = cert;
    }
    return found;
  }

  // ---- locators (management API) ------------------------------------

  function mgmtHeaders() {
    const t = $('mgmt-token').value.trim().replace(/^bearer\s+/i, '');
    if (!t) throw new Error('paste a management API token first');
    return { Authorization: 'Bearer ' + t };
  }

  function accountPath() {
    let p = $('account').value.trim();
    // The node's banner prints the account as a full URL: take its path
    // (the management API shares this page's listener).
    if (/^https?:\/\//i.test(p)) {
      try { p = new URL(p).pathname; } catch (e) { /* rejected below */ }
    }
    p = p.replace(/\/+$/, '');
    if (!/^\/subscriptions\/[^/]+\/resourceGroups\/[^/]+\/providers\/Microsoft\.Media\/mediaServices\/[^/]+$/i.test(p)) {
      throw new Error('the account path looks like /subscriptions/{id}/resourceGroups/{rg}/providers/Microsoft.Media/mediaServices/{name}');
    }
    return p;
  }

  function apiURL(path) {
    // Relative to the page: the management API shares its listener.
    return withQuery(path.replace(/^\//, ''), 'api-version', state.cfg.apiVersion);
  }

  async function listLocators() {
    const headers = mgmtHeaders();
    const acct = accountPath();
    const account = await fetchJSON(apiURL(acct), { headers });
    state.mediaServiceId = (account && account.properties && account.properties.mediaServiceId) || '';
    const eps = await fetchJSON(apiURL(acct + '/streamingEndpoints'), { headers });
    const running = (eps.value || []).find((e) => e.properties && e.properties.resourceState === 'Running') || (eps.value || [])[0];
    state.endpointHost = (running && running.properties && running.properties.hostName) || '';
    const locators = [];
    let next = apiURL(acct + '/streamingLocators');
    for (let page = 0; next && page < 20; page++) {
      const body = await fetchJSON(next, { headers });
      locators.push(...(body.value || []));
      next = body['@odata.nextLink'] || '';
    }
    const sel = $('locators');
    sel.textContent = '';
    const first = document.createElement('option');
    first.value = '';
    first.textContent = locators.length ? `${locators.length} locators: choose one` : 'no locators';
    sel.appendChild(first);
    for (const l of locators) {
      const o = document.createElement('option');
      o.value = l.name;
      const p = l.properties || {};
      o.textContent = `${l.name} — ${p.assetName || '?'} (${p.streamingPolicyName || '?'})`;
      sel.appendChild(o);
    }
    sel.hidden = false;
    $('paths').hidden = true;
    log(`Listed ${locators.length} locators${state.endpointHost ? '; streaming endpoint ' + state.endpointHost : ''}.`);
  }

  async function listPaths(name) {
    const headers = mgmtHeaders();
    const acct = accountPath();
    const body = await fetchJSON(apiURL(`${acct}/streamingLocators/${encodeURIComponent(name)}/listPaths`), { method: 'POST', headers });
    const sel = $('paths');
    sel.textContent = '';
    const first = document.createElement('option');
    first.value = '';
    first.textContent = 'choose a streaming path';
    sel.appendChild(first);
    const host = state.endpointHost ? state.cfg.originScheme + '//' + state.endpointHost : '';
    for (const sp of body.streamingPaths || []) {
      for (const p of sp.paths || []) {
        const o = document.createElement('option');
        o.value = /^https?:/i.test(p) ? p : host + p;
        o.textContent = `${sp.streamingProtocol} · ${sp.encryptionScheme} · ${p}`;
        sel.appendChild(o);
      }
    }
    sel.hidden = false;
  }

  // ---- tokens -------------------------------------------------------

  function b64urlDecode(s) {
    s = s.replace(/-/g, '+').replace(/_/g, '/');
    while (s.length % 4) s += '=';
    const bin = atob(s);
    const bytes = new Uint8Array(bin.length);
    for (let i = 0; i < bin.length; i++) bytes[i] = bin.charCodeAt(i);
    return new TextDecoder().decode(bytes);
  }

  // showClaims displays what the token says (never its signature), so a
  // refused key can be told apart from a token that was wrong to begin
  // with: expired, another audience, a missing group.
  function showClaims() {
    const out = $('claims');
    const t = bareToken();
    out.hidden = !t;
    if (!t) return;
    let claims = null;
    try {
      const parts = t.split('.');
      if (parts.length === 3) {
        claims = JSON.parse(b64urlDecode(parts[1]));
      } else if (/HMACSHA256=/.test(t)) {
        claims = {};
        for (const [k, v] of new URLSearchParams(t)) if (k !== 'HMACSHA256') claims[k] = v;
        if (claims.ExpiresOn) claims.exp = Number(claims.ExpiresOn);
      }
    } catch (e) { claims = null; }
    if (!claims || typeof claims !== 'object') {
      out.textContent = 'Not a JWT or SWT the page can read (it is sent as it is).';
      return;
    }
    const lines = [];
    const now = Date.now() / 1000;
    for (const k of Object.keys(claims)) {
      let v = claims[k];
      let note = '';
      if ((k === 'exp' || k === 'nbf' || k === 'iat') && typeof v === 'number') {
        const d = Math.round(v - now);
        note = `  (${new Date(v * 1000).toISOString()}, ${d >= 0 ? 'in ' + d : -d + ' s ago'}${d >= 0 ? ' s' : ''})`;
        if (k === 'exp' && d < 0) note += '  EXPIRED';
      }
      lines.push(`${k}: ${truncate(JSON.stringify(v), 300)}${note}`);
    }
    out.textContent = lines.join('\n');
  }

  async function probeSTS() {
    try {
      const d = await fetchJSON(`${state.cfg.sts}/.well-known/openid-configuration`);
      if (!d || !d.issuer) throw new Error('no issuer');
      $('sts').hidden = false;
      const obo = (d.grant_types_supported || []).some((g) => /on-behalf-of/.test(g));
      $('sts-obo').disabled = !obo;
      $('sts-obo').parentElement.hidden = !obo;
      state.stsGrantOBO = (d.grant_types_supported || []).find((g) => /on-behalf-of/.test(g)) || '';
    } catch (e) {
      $('sts-absent').hidden = false;
    }
  }

  async function getToken() {
    const form = new URLSearchParams();
    const user = $('sts-user').value.trim();
    if (!user) throw new Error('enter a user name');
    const headers = { 'Content-Type': 'application/x-www-form-urlencoded' };
    if ($('sts-obo').checked) {
      Object.assign(headers, mgmtHeaders());
      form.set('grant_type', state.stsGrantOBO);
      form.set('user', user);
    } else {
      form.set('grant_type', 'password');
      form.set('username', user);
      form.set('password', $('sts-secret').value);
    }
    if ($('sts-maxuses').value.trim()) form.set('maxuses', $('sts-maxuses').value.trim());
    if ($('sts-kid').value.trim()) form.set('contentkeyidentifier', $('sts-kid').value.trim());
    const body = await fetchJSON(`${state.cfg.sts}/token`, { method: 'POST', headers, body: form.toString() });
    $('sts-secret').value = '';
    $('token').value = body.access_token || '';
    showClaims();
    log(`Token issued for ${user}, expires in ${body.expires_in} s.`);
  }

  // ---- playback -----------------------------------------------------

  // serverMessage returns the message of an ARM-style error body
  // ({"error":{"code","message"}}, as key delivery answers), else the
  // body's start.
  function serverMessage(body) {
    try {
      const e = JSON.parse(body).error;
      if (e && e.message) return truncate(`${e.code ? e.code + ': ' : ''}${e.message}`, 200);
    } catch (x) { /* not JSON */ }
    return truncate(String(body).trim(), 200);
  }

  function shakaErrorText(err) {
    if (!err || typeof err.code !== 'number') return String(err && err.message || err);
    const S = shaka.util.Error;
    const name = Object.keys(S.Code).find((k) => S.Code[k] === err.code) || '';
    let text = `Shaka ${err.code} ${name}`;
    // Network failures may sit inside others (6007 LICENSE_REQUEST_FAILED
    // wraps 1001 BAD_HTTP_STATUS): report the HTTP status and what the
    // server said, which Lockstream's key delivery words for viewers.
    const RT = shaka.net.NetworkingEngine.RequestType;
    const visit = (e, depth) => {
      if (!e || typeof e.code !== 'number' || depth > 4) return;
      const d = e.data || [];
      if (e.code === S.Code.BAD_HTTP_STATUS) {
        const rt = Object.keys(RT).find((k) => RT[k] === d[4]) || '';
        text += ` — HTTP ${d[1]} on ${rt || 'request'} ${d[0]}`;
        if (d[2]) text += `: ${serverMessage(d[2])}`;
        return;
      }
      if (e.code === S.Code.HTTP_ERROR) text += ` — ${d[0]}: request failed (network or CORS)`;
      for (const x of d) visit(x, depth + 1);
    };
    visit(err, 0);
    return text;
  }

  async function stop() {
    clearInterval(state.poll);
    state.poll = 0;
    if (state.player) {
      const p = state.player;
      state.player = null;
      await p.destroy().catch(() => {});
    }
  }

  async function play() {
    const url = $('url').value.trim();
    if (!url) throw new Error('enter a streaming URL');
    await stop();
    const video = $('video');
    const player = new shaka.Player();
    state.player = player;
    await player.attach(video);
    const servers = {};
    for (const ks of Object.keys(FIELDS)) {
      const v = $(FIELDS[ks]).value.trim();
      if (v) servers[ks] = v;
    }
    const advanced = {};
    if ($('cert-fairplay').value.trim()) advanced[FAIRPLAY] = { serverCertificateUri: $('cert-fairplay').value.trim() };
    // One retry: a refused key is final, and retrying it only delays the
    // error (and spends max-uses tokens).
    const retry = { maxAttempts: 2, baseDelay: 500, backoffFactor: 2, fuzzFactor: 0.5, timeout: 30000 };
    player.configure({ drm: { servers, advanced, retryParameters: retry }, manifest: { retryParameters: retry }, streaming: { retryParameters: retry } });

    const token = bareToken();
    const placement = $('placement').value;
    const RT = shaka.net.NetworkingEngine.RequestType;
    player.getNetworkingEngine().registerRequestFilter((type, request) => {
      // Only license and key requests carry the token: manifests and
      // segments are public (and often cached by a CDN).
      if (!token || (type !== RT.LICENSE && type !== RT.KEY)) return;
      if (placement === 'query') request.uris = request.uris.map((u) => withQuery(u, 'token', token));
      else request.headers['Authorization'] = 'Bearer ' + token;
    });
    // FairPlay in AMS's wire form: the SPC goes as spc=<base64> in a
    // form body, the CKC comes back as <ckc>base64</ckc>.
    player.getNetworkingEngine().registerRequestFilter((type, request) => {
      if (type !== RT.LICENSE || player.keySystem() !== FAIRPLAY) return;
      request.headers['Content-Type'] = 'application/x-www-form-urlencoded';
      request.body = new TextEncoder().encode('spc=' + encodeURIComponent(toBase64(request.body)));
    });
    player.getNetworkingEngine().registerResponseFilter((type, response) => {
      if (type !== RT.LICENSE || player.keySystem() !== FAIRPLAY) return;
      const text = new TextDecoder().decode(response.data).trim();
      const m = /^<ckc>([\s\S]*)<\/ckc>$/.exec(text);
      response.data = fromBase64(m ? m[1].trim() : text);
    });
    let failed = false;
    player.addEventListener('error', (ev) => {
      const text = shakaErrorText(ev.detail);
      failed = true;
      log(text, 'error');
      status(text, 'error');
    });
    status('Loading…');
    log(`Loading ${url}${Object.keys(servers).length ? ' with ' + Object.keys(servers).map((k) => NAMES[k]).join(', ') : ''}${token ? ', token in ' + (placement === 'query' ? 'token= query' : 'Authorization header') : ', no token'}.`);
    try {
      await player.load(url);
    } catch (err) {
      if (state.player === player) {
        const text = shakaErrorText(err);
        log(text, 'error');
        status(text, 'error');
      }
      return;
    }
    video.play().catch(() => {});
    const ks = player.keySystem();
    log(`Loaded${ks ? ', key system ' + ks : ''}.`);
    state.poll = setInterval(() => {
      if (state.player !== player) return;
      const q = video.getVideoPlaybackQuality ? video.getVideoPlaybackQuality() : { totalVideoFrames: 0 };
      const t = video.currentTime.toFixed(1);
      if (q.totalVideoFrames > 0) status(`Playing: ${t} s, ${q.totalVideoFrames} frames decoded${ks ? ', ' + ks : ''}.`, 'ok');
      else if (!failed) status(`Loaded, no frame decoded yet (${t} s).`);
    }, 500);
  }

  // ---- wiring -------------------------------------------------------

  function guard(fn) {
    return async (ev) => {
      if (ev) ev.preventDefault();
      try {
        await fn(ev);
      } catch (e) {
        const msg = (e && e.message) || String(e);
        log(msg, 'error');
        status(msg, 'error');
      }
    };
  }

  async function main() {
    try {
      state.cfg = Object.assign(state.cfg, await fetchJSON('player/config.json'));
    } catch (e) {
      log('config.json: ' + e.message, 'error');
    }
    $('shaka-version').textContent = window.shaka ? shaka.Player.version : '(not loaded)';
    if (!window.shaka) {
      status('Shaka Player did not load.', 'error');
      return;
    }
    shaka.polyfill.installAll();
    if (!shaka.Player.isBrowserSupported()) status('This browser cannot play with Shaka Player (no MediaSource).', 'error');
    await probeSTS();

    $('form').addEventListener('submit', guard(async () => {
      if (!Object.values(FIELDS).some((id) => $(id).value.trim())) {
        // Fill license servers from the manifest first, if not done yet.
        try { await inspect(); } catch (e) { log('Reading the manifest: ' + e.message, 'error'); }
      }
      await play();
    }));
    $('stop').addEventListener('click', guard(async () => { await stop(); status('Stopped.'); }));
    $('inspect').addEventListener('click', guard(inspect));
    $('list-locators').addEventListener('click', guard(listLocators));
    $('locators').addEventListener('change', guard(async () => { if ($('locators').value) await listPaths($('locators').value); }));
    $('paths').addEventListener('change', guard(async () => {
      if (!$('paths').value) return;
      $('url').value = $('paths').value;
      for (const id of Object.values(FIELDS)) $(id).value = '';
      await inspect();
    }));
    $('url').addEventListener('change', () => { for (const id of Object.values(FIELDS)) $(id).value = ''; $('signals').textContent = ''; });
    $('sts-get').addEventListener('click', guard(getToken));
    $('token').addEventListener('input', showClaims);
    $('sts-obo').addEventListener('change', () => { $('sts-secret').disabled = $('sts-obo').checked; });
  }

  document.addEventListener('DOMContentLoaded', () => { main(); });
})();
