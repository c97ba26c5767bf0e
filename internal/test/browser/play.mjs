// play.mjs plays one stream in headless Chromium and reports whether it
// really played. Driven by internal/test/browser (Go); usable by hand:
//
//   node internal/test/browser/play.mjs '{"player":"shaka","url":"http://127.0.0.1:8080/x.mpd"}'
//   echo '{"player":"hlsjs","url":"…/index.m3u8","seconds":4}' | node internal/test/browser/play.mjs
//
// Input (JSON, argv[2] or stdin):
//   player            "shaka" (default) | "hlsjs"
//   url               manifest URL (DASH, HLS; Smooth with Shaka)
//   seconds           play this far (default 8)
//   timeoutSeconds    give up after this long (default seconds + 30)
//   clearKeyLicenseUrl  ClearKey license server (Shaka drm.servers; hls.js drmSystems)
//   token             bearer token for license/key requests
//   tokenPlacement    "header" (default: Authorization: Bearer …) | "query" (?token=…) | "none"
//   tokenScope        "keys" (default: license and key requests) | "all" (manifests and segments too)
//   drm               object merged into Shaka's drm configuration
//   maxRetries        player retries per request (default 1, 0 = none): low so failing runs end fast
//   screenshot        PNG path (default: none)
//   chromium          browser executable (default $CHROMIUM, else /usr/bin/chromium)
//
// Output: one JSON report on stdout. Exit 0 = played, 1 = did not play,
// 2 = harness failure (bad input, browser did not start, page broke).
//
// Pass = video.currentTime >= seconds AND totalVideoFrames > 0 (currentTime
// alone advances a little with no decodable frames).

import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { createRequire } from 'node:module';
import { chromium } from 'playwright-core';

const EXIT_PLAYED = 0;
const EXIT_NOT_PLAYED = 1;
const EXIT_HARNESS = 2;

// Flags that work for Debian's Chromium in containers (browser-testing.md §2).
const FLAGS = [
  '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync',
  '--autoplay-policy=no-user-gesture-required',
];

// How long to wait after the first fatal player error, so late events
// (retries, license statuses) still land in the report.
const FATAL_GRACE_MS = 1500;
const POLL_MS = 200;
const MAX_CONSOLE = 300;

const require = createRequire(import.meta.url);

const report = {
  pass: false,
  outcome: 'harness-error',
  harnessError: '',
  player: '',
  playerVersion: '',
  url: '',
  targetSeconds: 0,
  playedSeconds: 0,
  totalVideoFrames: 0,
  droppedVideoFrames: 0,
  videoWidth: 0,
  videoHeight: 0,
  readyState: 0,
  ended: false,
  variant: null,
  keySystem: '',
  licenseServerUri: '',
  events: {},
  errors: [],
  fatalKinds: [],
  licenseRequests: [],
  licenseRequestCount: 0,
  keyRequests: [],
  keyRequestCount: 0,
  requestCount: 0,
  httpErrors: [],
  console: [],
  env: {},
  screenshot: '',
  elapsedSeconds: 0,
};

const started = Date.now();
let cleanup = async () => {};

let finished = false;

function finish(code) {
  if (finished) return; // a signal and the main flow may both get here
  finished = true;
  report.elapsedSeconds = (Date.now() - started) / 1000;
  process.stdout.write(JSON.stringify(report) + '\n');
  process.exitCode = code;
}

async function readInput() {
  const arg = process.argv[2];
  let text = arg && arg !== '-' ? arg : '';
  if (!text) {
    const chunks = [];
    for await (const c of process.stdin) chunks.push(c);
    text = Buffer.concat(chunks).toString('utf8');
  }
  return JSON.parse(text);
}

function options(input) {
  const o = {
    player: input.player || 'shaka',
    url: input.url,
    seconds: input.seconds ?? 8,
    clearKeyLicenseUrl: input.clearKeyLicenseUrl || '',
    token: input.token || '',
    tokenPlacement: input.tokenPlacement || 'header',
    tokenScope: input.tokenScope || 'keys',
    drm: input.drm || null,
    maxRetries: input.maxRetries ?? 1,
    screenshot: input.screenshot || '',
    chromium: input.chromium || process.env.CHROMIUM || '/usr/bin/chromium',
  };
  o.timeoutSeconds = input.timeoutSeconds || o.seconds + 30;
  if (!['shaka', 'hlsjs'].includes(o.player)) throw new Error(`player must be "shaka" or "hlsjs", got ${JSON.stringify(o.player)}`);
  if (!o.url) throw new Error('url is required');
  if (!['header', 'query', 'none'].includes(o.tokenPlacement)) throw new Error(`bad tokenPlacement ${JSON.stringify(o.tokenPlacement)}`);
  if (!['keys', 'all'].includes(o.tokenScope)) throw new Error(`bad tokenScope ${JSON.stringify(o.tokenScope)}`);
  if (!(o.seconds > 0) || !(o.timeoutSeconds > 0) || !(o.maxRetries >= 0)) throw new Error('seconds, timeoutSeconds must be > 0, maxRetries >= 0');
  return o;
}

// serve starts the player page's origin on 127.0.0.1 (a secure context,
// so EME is available) with the player libraries from node_modules.
function serve() {
  const files = {
    '/lib/shaka-player.compiled.js': require.resolve('shaka-player'),
    '/lib/hls.min.js': require.resolve('hls.js/dist/hls.min.js'),
  };
  const page = `<!doctype html><html><head><meta charset="utf-8"><title>lockstream player</title>
<style>html,body{margin:0;background:#000;height:100%}video{width:100%;height:100%}</style>
<script src="/lib/shaka-player.compiled.js"></script><script src="/lib/hls.min.js"></script>
<script src="/page.js"></script></head><body><video id="v" muted autoplay playsinline></video></body></html>`;
  const server = http.createServer((req, res) => {
    const p = new URL(req.url, 'http://x').pathname;
    if (p === '/') {
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
      res.end(page);
    } else if (p === '/page.js') {
      res.writeHead(200, { 'content-type': 'text/javascript' });
      res.end(`(${pageMain.toString()})();`);
    } else if (p === '/favicon.ico') {
      res.writeHead(204); // keeps a 404 line out of the console
      res.end();
    } else if (files[p]) {
      res.writeHead(200, { 'content-type': 'text/javascript' });
      fs.createReadStream(files[p]).pipe(res);
    } else {
      res.writeHead(404);
      res.end();
    }
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve(server));
  });
}

// pageMain runs in the page: window.lsStart(cfg) starts playback,
// window.lsPoll() reads the state, window.lsEnv() probes capabilities.
function pageMain() {
  const st = {
    events: {}, errors: [], fatal: false, licenseUris: [], keyUris: [],
    keySystem: '', licenseServerUri: '', variant: null, playerVersion: '', player: null, hls: null,
  };
  window.__ls = st;
  const video = () => document.getElementById('v');

  function bearer(token) { return /^bearer /i.test(token) ? token : 'Bearer ' + token; }
  function withQuery(u, token) {
    const url = new URL(u, location.href);
    url.searchParams.set('token', token);
    return url.toString();
  }

  function addError(e) {
    const same = st.errors.find(x => x.player === e.player && x.code === e.code && x.httpStatus === e.httpStatus &&
      x.requestType === e.requestType && x.fatal === e.fatal && x.source === e.source);
    if (same) { same.count++; return; }
    e.count = 1;
    st.errors.push(e);
    if (e.fatal) st.fatal = true;
  }

  function reverse(obj, value) {
    for (const k in obj) if (obj[k] === value) return k;
    return String(value);
  }

  function shakaError(err, source) {
    const S = shaka.util.Error;
    const RT = shaka.net.NetworkingEngine.RequestType;
    if (!(err && typeof err.code === 'number')) {
      addError({ player: 'shaka', source, code: '0', name: 'non-shaka error', message: String(err), fatal: true, kind: 'other' });
      return;
    }
    const e = {
      player: 'shaka', source, code: String(err.code), name: reverse(S.Code, err.code),
      category: reverse(S.Category, err.category), severity: err.severity === S.Severity.CRITICAL ? 'CRITICAL' : 'RECOVERABLE',
      fatal: err.severity === S.Severity.CRITICAL, httpStatus: 0, requestType: '', uri: '', message: err.message || '',
    };
    // The network error (status, request type) may be nested: 6007
    // LICENSE_REQUEST_FAILED wraps 1001 BAD_HTTP_STATUS.
    const visit = (x, depth) => {
      if (!x || typeof x.code !== 'number' || depth > 4) return;
      const d = x.data || [];
      if (x.code === S.Code.BAD_HTTP_STATUS) {
        e.uri = e.uri || d[0]; e.httpStatus = d[1]; e.requestType = reverse(RT, d[4]);
      } else if (x.code === S.Code.HTTP_ERROR) {
        e.uri = e.uri || d[0]; e.requestType = reverse(RT, d[2]);
        if (d[1] && d[1].message) e.message = e.message || d[1].message;
      } else if (x.code === S.Code.TIMEOUT) {
        e.uri = e.uri || d[0]; e.requestType = reverse(RT, d[1]);
      }
      for (const y of d) visit(y, depth + 1);
    };
    visit(err, 0);
    const C = S.Category;
    if ([S.Code.LICENSE_REQUEST_FAILED, S.Code.LICENSE_RESPONSE_REJECTED].includes(err.code)) e.kind = 'license';
    else if (err.category === C.DRM) e.kind = 'drm';
    else if (err.category === C.NETWORK) e.kind = e.requestType === 'KEY' ? 'key' : e.requestType === 'LICENSE' ? 'license' : 'network';
    else if (err.category === C.MANIFEST) e.kind = 'manifest';
    else if (err.category === C.MEDIA) e.kind = 'media';
    else e.kind = reverse(C, err.category).toLowerCase();
    if (!e.message) e.message = e.name;
    addError(e);
  }

  function hlsKind(d) {
    if (/^keyLoad/.test(d.details)) return 'key';
    if (/License/.test(d.details)) return 'license';
    if (/^keySystem/.test(d.details)) return 'drm';
    if (/^manifest/.test(d.details)) return 'manifest';
    if (d.type === 'networkError') return 'network';
    if (d.type === 'mediaError') return 'media';
    return d.type || 'other';
  }

  function hlsRequestType(details) {
    if (/^key/.test(details)) return 'KEY';
    if (/^frag/.test(details)) return 'SEGMENT';
    if (/^manifest/.test(details)) return 'MANIFEST';
    if (/^(level|audioTrack|subtitleTrack)Load/.test(details)) return 'PLAYLIST';
    if (/License/.test(details)) return 'LICENSE';
    return '';
  }

  const mediaEvents = ['loadstart', 'loadedmetadata', 'loadeddata', 'canplay', 'playing', 'waiting', 'stalled',
    'seeking', 'seeked', 'pause', 'ended', 'error', 'encrypted', 'waitingforkey'];

  window.lsStart = async (cfg) => {
    const v = video();
    for (const name of mediaEvents) v.addEventListener(name, () => { st.events[name] = (st.events[name] || 0) + 1; });
    v.addEventListener('error', () => {
      const me = v.error;
      addError({ player: 'video', source: 'element', code: String(me ? me.code : 0), name: 'MediaError', message: me ? me.message : '', fatal: true, kind: 'media' });
    });
    v.addEventListener('encrypted', (e) => { st.initDataType = e.initDataType; });
    v.muted = true;
    const tokenFor = (isKey) => cfg.token && cfg.tokenPlacement !== 'none' && (isKey || cfg.tokenScope === 'all');
    if (cfg.player === 'shaka') {
      shaka.polyfill.installAll();
      st.playerVersion = shaka.Player.version;
      if (!shaka.Player.isBrowserSupported()) throw new Error('Shaka: browser not supported');
      const player = new shaka.Player();
      st.player = player;
      await player.attach(v);
      const retry = { maxAttempts: 1 + cfg.maxRetries, baseDelay: 250, backoffFactor: 2, fuzzFactor: 0, timeout: 15000, stallTimeout: 10000, connectionTimeout: 10000 };
      const drm = Object.assign({ retryParameters: retry }, cfg.drm || {});
      if (cfg.clearKeyLicenseUrl) drm.servers = Object.assign({}, drm.servers || {}, { 'org.w3.clearkey': cfg.clearKeyLicenseUrl });
      player.configure({ streaming: { retryParameters: retry }, manifest: { retryParameters: retry }, drm });
      const RT = shaka.net.NetworkingEngine.RequestType;
      player.getNetworkingEngine().registerRequestFilter((type, request) => {
        const isKey = type === RT.LICENSE || type === RT.KEY;
        if (tokenFor(isKey)) {
          if (cfg.tokenPlacement === 'header') request.headers['Authorization'] = bearer(cfg.token);
          else request.uris = request.uris.map(u => withQuery(u, cfg.token));
        }
        if (type === RT.LICENSE) st.licenseUris.push(...request.uris);
        if (type === RT.KEY) st.keyUris.push(...request.uris);
      });
      player.addEventListener('error', (ev) => shakaError(ev.detail, 'event'));
      // Not awaited: the Node side polls, so a hanging load ends in a
      // timeout report instead of a stuck evaluate.
      player.load(cfg.url).then(() => v.play().catch(() => {}), (err) => shakaError(err, 'load'));
      return;
    }

    // hls.js
    st.playerVersion = Hls.version;
    if (!Hls.isSupported()) throw new Error('hls.js: MSE not supported');
    const policy = {
      default: {
        maxTimeToFirstByteMs: 10000, maxLoadTimeMs: 20000,
        timeoutRetry: { maxNumRetry: cfg.maxRetries, retryDelayMs: 250, maxRetryDelayMs: 1000 },
        errorRetry: { maxNumRetry: cfg.maxRetries, retryDelayMs: 250, maxRetryDelayMs: 1000 },
      },
    };
    const hlsCfg = {
      manifestLoadPolicy: policy, playlistLoadPolicy: policy, fragLoadPolicy: policy, keyLoadPolicy: policy,
      xhrSetup(xhr, url, context) {
        const isKey = context && context.type === 'key';
        let u = url;
        if (tokenFor(isKey) && cfg.tokenPlacement === 'query') u = withQuery(url, cfg.token);
        if (isKey) st.keyUris.push(u);
        xhr.open('GET', u, true);
        if (tokenFor(isKey) && cfg.tokenPlacement === 'header') xhr.setRequestHeader('Authorization', bearer(cfg.token));
      },
    };
    if (cfg.clearKeyLicenseUrl) {
      hlsCfg.emeEnabled = true;
      hlsCfg.drmSystems = { 'org.w3.clearkey': { licenseUrl: cfg.clearKeyLicenseUrl } };
      st.licenseServerUri = cfg.clearKeyLicenseUrl;
      hlsCfg.licenseXhrSetup = (xhr, url) => {
        let u = url;
        if (tokenFor(true) && cfg.tokenPlacement === 'query') u = withQuery(url, cfg.token);
        st.licenseUris.push(u);
        xhr.open('POST', u, true);
        if (tokenFor(true) && cfg.tokenPlacement === 'header') xhr.setRequestHeader('Authorization', bearer(cfg.token));
      };
      v.addEventListener('encrypted', () => { st.keySystem = 'org.w3.clearkey'; });
    }
    const hls = new Hls(hlsCfg);
    st.hls = hls;
    hls.on(Hls.Events.ERROR, (_, d) => {
      addError({
        player: 'hlsjs', source: 'event', code: d.details, name: d.details, category: d.type,
        severity: d.fatal ? 'FATAL' : 'RECOVERABLE', fatal: !!d.fatal,
        httpStatus: (d.response && d.response.code) || 0, requestType: hlsRequestType(d.details),
        uri: d.url || (d.context && d.context.url) || (d.frag && d.frag.url) || '',
        message: (d.error && d.error.message) || d.reason || '', kind: hlsKind(d),
      });
    });
    hls.on(Hls.Events.KEY_LOADED, (_, d) => {
      const dd = d.frag && d.frag.decryptdata;
      if (dd && !st.keySystem) st.keySystem = dd.method === 'AES-128' ? 'AES-128' : (dd.keyFormat || dd.method || '');
    });
    hls.loadSource(cfg.url);
    hls.attachMedia(v);
    hls.on(Hls.Events.MANIFEST_PARSED, () => v.play().catch(() => {}));
  };

  window.lsPoll = () => {
    const v = video();
    const q = v.getVideoPlaybackQuality ? v.getVideoPlaybackQuality() : { totalVideoFrames: 0, droppedVideoFrames: 0 };
    return {
      currentTime: v.currentTime, ended: v.ended, readyState: v.readyState,
      videoWidth: v.videoWidth, videoHeight: v.videoHeight,
      totalVideoFrames: q.totalVideoFrames, droppedVideoFrames: q.droppedVideoFrames, fatal: st.fatal,
    };
  };

  window.lsFinal = () => {
    const out = {
      events: st.events, errors: st.errors, licenseUris: st.licenseUris, keyUris: st.keyUris,
      playerVersion: st.playerVersion, keySystem: st.keySystem, licenseServerUri: st.licenseServerUri, variant: null,
    };
    try {
      if (st.player) {
        const t = st.player.getVariantTracks().find(x => x.active);
        if (t) {
          out.variant = {
            bandwidth: t.bandwidth, width: t.width || 0, height: t.height || 0, codecs: t.codecs || '',
            videoCodec: t.videoCodec || '', audioCodec: t.audioCodec || '', language: t.language || '',
          };
        }
        out.keySystem = st.player.keySystem() || '';
        const di = st.player.drmInfo();
        if (di) out.licenseServerUri = di.licenseServerUri || '';
      }
      if (st.hls) {
        const l = st.hls.levels[st.hls.currentLevel];
        if (l) {
          out.variant = {
            bandwidth: l.bitrate, width: l.width || 0, height: l.height || 0,
            codecs: [l.videoCodec, l.audioCodec].filter(Boolean).join(','),
            videoCodec: l.videoCodec || '', audioCodec: l.audioCodec || '', language: '',
          };
        }
      }
    } catch (e) {
      out.finalError = String(e);
    }
    return out;
  };

  window.lsEnv = async () => {
    const types = {
      'avc1.64001f': 'video/mp4; codecs="avc1.64001f"',
      'avc1.4d401f': 'video/mp4; codecs="avc1.4d401f"',
      'hvc1.1.6.L93.B0': 'video/mp4; codecs="hvc1.1.6.L93.B0"',
      'mp4a.40.2': 'audio/mp4; codecs="mp4a.40.2"',
      'mp2t avc1+mp4a': 'video/mp2t; codecs="avc1.42E01E,mp4a.40.2"',
    };
    const mse = {};
    for (const k in types) mse[k] = !!(window.MediaSource && MediaSource.isTypeSupported(types[k]));
    const eme = {};
    for (const ks of ['org.w3.clearkey', 'com.widevine.alpha']) {
      try {
        await navigator.requestMediaKeySystemAccess(ks, [{
          initDataTypes: ['cenc', 'keyids'],
          videoCapabilities: [{ contentType: types['avc1.4d401f'] }],
        }]);
        eme[ks] = true;
      } catch (e) {
        eme[ks] = false;
      }
    }
    return { userAgent: navigator.userAgent, isSecureContext: window.isSecureContext, mse, eme };
  };
}

function sleep(ms) { return new Promise(r => setTimeout(r, ms)); }

async function main() {
  let o;
  try {
    o = options(await readInput());
  } catch (e) {
    report.harnessError = 'bad input: ' + e.message;
    return EXIT_HARNESS;
  }
  report.player = o.player;
  report.url = o.url;
  report.targetSeconds = o.seconds;

  // Backstop: if anything hangs past the timeout, report and exit.
  const watchdog = setTimeout(async () => {
    report.outcome = 'harness-error';
    report.harnessError = `harness hung past ${o.timeoutSeconds + 30} s`;
    finish(EXIT_HARNESS);
    await Promise.race([cleanup(), sleep(5000)]);
    process.exit(EXIT_HARNESS);
  }, (o.timeoutSeconds + 30) * 1000);
  watchdog.unref();
  for (const sig of ['SIGTERM', 'SIGINT', 'SIGHUP']) {
    process.once(sig, async () => {
      report.outcome = 'harness-error';
      report.harnessError = `killed by ${sig}`;
      await Promise.race([cleanup(), sleep(5000)]);
      finish(EXIT_HARNESS);
      process.exit(EXIT_HARNESS);
    });
  }

  const server = await serve();
  const origin = `http://127.0.0.1:${server.address().port}`;
  const profile = fs.mkdtempSync(path.join(os.tmpdir(), 'lockstream-chromium-'));
  let context = null;
  let cleaning = null;
  cleanup = () => {
    cleaning = cleaning || (async () => {
      if (context) await context.close().catch(() => {});
      server.close();
      try {
        // Chromium may still be writing while it exits.
        fs.rmSync(profile, { recursive: true, force: true, maxRetries: 10, retryDelay: 200 });
      } catch (e) {
        report.console.push(`harness: remove profile ${profile}: ${e.message}`);
      }
    })();
    return cleaning;
  };
  try {
    try {
      context = await chromium.launchPersistentContext(profile, {
        executablePath: o.chromium,
        headless: true,
        args: FLAGS,
        ignoreHTTPSErrors: true,
        viewport: { width: 1280, height: 720 },
        timeout: 60000,
        // Signals are handled below, so the profile is removed too.
        handleSIGINT: false,
        handleSIGTERM: false,
        handleSIGHUP: false,
      });
    } catch (e) {
      report.harnessError = `launch ${o.chromium}: ${e.message}`;
      return EXIT_HARNESS;
    }
    const page = context.pages()[0] || await context.newPage();
    const responses = [];
    page.on('console', (m) => { if (report.console.length < MAX_CONSOLE) report.console.push(`${m.type()}: ${m.text()}`); });
    page.on('pageerror', (e) => { if (report.console.length < MAX_CONSOLE) report.console.push(`pageerror: ${e.message}`); });
    page.on('response', (r) => {
      if (r.url().startsWith(origin + '/')) return;
      responses.push({ url: r.url(), method: r.request().method(), status: r.status(), resourceType: r.request().resourceType() });
    });
    page.on('requestfailed', (r) => {
      if (r.url().startsWith(origin + '/')) return;
      const f = r.failure();
      responses.push({ url: r.url(), method: r.method(), status: 0, resourceType: r.resourceType(), error: f ? f.errorText : 'failed' });
    });

    try {
      await page.goto(origin + '/', { waitUntil: 'load', timeout: 30000 });
      report.env = await page.evaluate(() => window.lsEnv());
      report.env.browserVersion = context.browser() ? context.browser().version() : '';
      report.env.executable = o.chromium;
      await page.evaluate((cfg) => window.lsStart(cfg), {
        player: o.player, url: o.url, clearKeyLicenseUrl: o.clearKeyLicenseUrl, token: o.token,
        tokenPlacement: o.tokenPlacement, tokenScope: o.tokenScope, drm: o.drm, maxRetries: o.maxRetries,
      });
    } catch (e) {
      report.harnessError = 'page: ' + e.message;
      return EXIT_HARNESS;
    }

    const deadline = Date.now() + o.timeoutSeconds * 1000;
    let fatalSince = 0;
    let s;
    for (;;) {
      s = await page.evaluate(() => window.lsPoll());
      if (s.currentTime >= o.seconds) {
        report.outcome = s.totalVideoFrames > 0 ? 'pass' : 'no-video-frames';
        break;
      }
      if (s.fatal) {
        fatalSince = fatalSince || Date.now();
        if (Date.now() - fatalSince >= FATAL_GRACE_MS) { report.outcome = 'fatal-error'; break; }
      }
      if (s.ended) { report.outcome = 'ended-before-target'; break; }
      if (Date.now() > deadline) { report.outcome = 'timeout'; break; }
      await sleep(POLL_MS);
    }
    s = await page.evaluate(() => window.lsPoll());
    const f = await page.evaluate(() => window.lsFinal());
    Object.assign(report, {
      playedSeconds: s.currentTime, totalVideoFrames: s.totalVideoFrames, droppedVideoFrames: s.droppedVideoFrames,
      videoWidth: s.videoWidth, videoHeight: s.videoHeight, readyState: s.readyState, ended: s.ended,
      variant: f.variant, keySystem: f.keySystem, licenseServerUri: f.licenseServerUri || o.clearKeyLicenseUrl,
      events: f.events, errors: f.errors, playerVersion: f.playerVersion,
    });
    report.fatalKinds = [...new Set(f.errors.filter(e => e.fatal).map(e => e.kind))];
    const licenseUris = new Set(f.licenseUris);
    if (o.clearKeyLicenseUrl) licenseUris.add(o.clearKeyLicenseUrl);
    const keyUris = new Set(f.keyUris);
    for (const r of responses) {
      if (licenseUris.has(r.url)) report.licenseRequests.push(r);
      else if (keyUris.has(r.url)) report.keyRequests.push(r);
      if (r.status === 0 || r.status >= 400) report.httpErrors.push(r);
    }
    report.licenseRequestCount = report.licenseRequests.length;
    report.keyRequestCount = report.keyRequests.length;
    report.requestCount = responses.length;
    report.pass = report.outcome === 'pass';
    if (o.screenshot) {
      try {
        await page.screenshot({ path: o.screenshot });
        report.screenshot = o.screenshot;
      } catch (e) {
        report.console.push('harness: screenshot: ' + e.message);
      }
    }
    return report.pass ? EXIT_PLAYED : EXIT_NOT_PLAYED;
  } finally {
    await cleanup();
  }
}

main().then(finish, (e) => {
  report.outcome = 'harness-error';
  report.harnessError = (e && e.stack) || String(e);
  finish(EXIT_HARNESS);
});
