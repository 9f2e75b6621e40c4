/**
 * Where Snort's HTTP inspection buffers lie inside a payload, so that patterns of
 * `http_uri`, `http_header`, `file_data`, ... can be held to their buffer (with offset and
 * depth counted from the buffer start) instead of being searched in the whole payload.
 *
 * `locateHttpBuffers` reads only the message at the start of the payload: a request line
 * `METHOD SP URI SP HTTP/x.y CRLF` or a status line `HTTP/x.y SP code SP reason CRLF`,
 * then header lines up to the empty line, then the body. Buffers the message cannot have
 * (a URI in a response) are marked absent; when the payload does not start with an HTTP
 * message (a body continuation, another protocol) every HTTP buffer stays unknown and
 * the evaluator falls back to the whole payload.
 *
 * What remains approximate (counted as the `buffer` approximation): `http_uri`,
 * `http_header` and `http_cookie` are Snort's normalized buffers; here they are the raw
 * bytes (no %-decoding, no path normalization, no header folding); `file_data` and
 * `http_client_body` are the body bytes in this payload (not de-chunked, not
 * decompressed); only the first message of a payload is located. Linear in the header
 * size, no allocation.
 */

/** Buffer ids used by the rule program: 0 is the packet/stream payload itself. */
export const BUFFER_IDS: Readonly<Record<string, number>> = {
  pkt: 0,
  raw: 0,
  http_method: 1,
  http_uri: 2,
  http_raw_uri: 3,
  http_header: 4,
  http_raw_header: 5,
  http_cookie: 6,
  http_raw_cookie: 7,
  http_client_body: 8,
  http_stat_code: 9,
  http_stat_msg: 10,
  file_data: 11,
};
/** Ids ≥ this are buffers we never locate (dce_stub_data, base64_data, sip_*, ...). */
export const LOCATABLE_BUFFERS = 12;

/** `BufferRegions.state`: the buffer was not located (search the whole payload). */
export const REGION_UNKNOWN = 0;
/** `BufferRegions.state`: the buffer lies at [start, end). */
export const REGION_KNOWN = 1;
/** `BufferRegions.state`: the message has no such buffer (positive patterns in it fail). */
export const REGION_ABSENT = 2;

/** Per-buffer regions of one payload: [start, end) in payload offsets. Reused per payload. */
export class BufferRegions {
  /** Per buffer id: REGION_UNKNOWN, REGION_KNOWN or REGION_ABSENT. */
  readonly state = new Uint8Array(LOCATABLE_BUFFERS);
  /** Per buffer id: [start, end) in payload offsets, when known. */
  readonly start = new Float64Array(LOCATABLE_BUFFERS);
  readonly end = new Float64Array(LOCATABLE_BUFFERS);

  /** Every buffer unknown except the payload itself, [0, length). */
  reset(length: number): void {
    this.state.fill(REGION_UNKNOWN);
    this.set(0, 0, length);
  }

  /** Buffer `id` lies at [start, end). */
  set(id: number, start: number, end: number): void {
    this.state[id] = REGION_KNOWN;
    this.start[id] = start;
    this.end[id] = end;
  }

  /** The message has no buffer `id`. */
  absent(id: number): void {
    this.state[id] = REGION_ABSENT;
  }
}

function isTokenByte(b: number): boolean {
  // RFC 9110 token characters, enough to recognise a method.
  return (b >= 0x41 && b <= 0x5a) || (b >= 0x61 && b <= 0x7a) || (b >= 0x30 && b <= 0x39) || b === 0x2d || b === 0x5f;
}

function lineEnd(p: Uint8Array, from: number): number {
  for (let i = from; i < p.length; i++) if (p[i] === 0x0a) return i;
  return -1;
}

function startsWithHttpVersion(p: Uint8Array, at: number): boolean {
  return p.length >= at + 8 && p[at] === 0x48 && p[at + 1] === 0x54 && p[at + 2] === 0x54 && p[at + 3] === 0x50 && p[at + 4] === 0x2f;
}

/** Lower-case ASCII compare of p[at..] with `name` (given in lower case). */
function headerNameIs(p: Uint8Array, at: number, end: number, name: string): boolean {
  if (end - at < name.length + 1) return false;
  for (let i = 0; i < name.length; i++) {
    let b = p[at + i];
    if (b >= 0x41 && b <= 0x5a) b += 0x20;
    if (b !== name.charCodeAt(i)) return false;
  }
  return p[at + name.length] === 0x3a;
}

/**
 * Fills `out` for `payload`. Returns 'request', 'response' or 'none' (not an HTTP message
 * start: HTTP buffers left unknown).
 */
export function locateHttpBuffers(payload: Uint8Array, out: BufferRegions): 'request' | 'response' | 'none' {
  out.reset(payload.length);
  const kind = startsWithHttpVersion(payload, 0) ? 'response' : 'request';
  const headerStart = kind === 'response' ? locateStatusLine(payload, out) : locateRequestLine(payload, out);
  if (headerStart < 0) return 'none';
  locateHeadersAndBody(payload, out, headerStart, kind);
  return kind;
}

/**
 * Status line `HTTP/x.y SP code SP reason CRLF`: sets its buffers and marks the request
 * buffers absent. Returns where the headers start, or -1 (nothing set) when it is not one.
 */
function locateStatusLine(payload: Uint8Array, out: BufferRegions): number {
  const eol = lineEnd(payload, 0);
  if (eol < 0) return -1;
  const lineStop = eol > 0 && payload[eol - 1] === 0x0d ? eol - 1 : eol;
  let sp = 5;
  while (sp < lineStop && payload[sp] !== 0x20) sp++;
  const codeStart = sp + 1;
  let codeEnd = codeStart;
  while (codeEnd < lineStop && payload[codeEnd] !== 0x20) codeEnd++;
  if (codeEnd - codeStart !== 3) return -1;
  out.set(BUFFER_IDS.http_stat_code, codeStart, codeEnd);
  out.set(BUFFER_IDS.http_stat_msg, Math.min(codeEnd + 1, lineStop), lineStop);
  for (const b of ['http_method', 'http_uri', 'http_raw_uri', 'http_client_body']) out.absent(BUFFER_IDS[b]);
  return eol + 1;
}

/**
 * Request line `METHOD SP URI SP HTTP/x.y CRLF`: sets its buffers and marks the response
 * buffers absent. Returns where the headers start, or -1 (nothing set) when it is not one.
 */
function locateRequestLine(payload: Uint8Array, out: BufferRegions): number {
  const n = payload.length;
  let m = 0;
  while (m < n && m < 32 && isTokenByte(payload[m])) m++;
  if (m === 0 || m >= n || payload[m] !== 0x20) return -1;
  const eol = lineEnd(payload, m);
  if (eol < 0) return -1;
  const lineStop = eol > 0 && payload[eol - 1] === 0x0d ? eol - 1 : eol;
  // The URI ends at the last space before "HTTP/" (HTTP/0.9 has no version).
  let uriEnd = lineStop;
  for (let i = lineStop - 1; i > m; i--) {
    if (payload[i] === 0x20) {
      if (startsWithHttpVersion(payload, i + 1)) uriEnd = i;
      break;
    }
  }
  // Without an HTTP/x.y version this is not taken for HTTP (SMTP, FTP... lines look alike).
  if (uriEnd === lineStop || uriEnd <= m + 1) return -1;
  out.set(BUFFER_IDS.http_method, 0, m);
  out.set(BUFFER_IDS.http_uri, m + 1, uriEnd);
  out.set(BUFFER_IDS.http_raw_uri, m + 1, uriEnd);
  out.absent(BUFFER_IDS.http_stat_code);
  out.absent(BUFFER_IDS.http_stat_msg);
  return eol + 1;
}

/** Header lines from `headerStart` up to the empty line (cookie included), then the body. */
function locateHeadersAndBody(payload: Uint8Array, out: BufferRegions, headerStart: number, kind: 'request' | 'response'): void {
  const n = payload.length;
  let i = headerStart;
  let headerEnd = -1;
  let cookie = -1;
  let cookieEnd = -1;
  while (i < n) {
    const eol = lineEnd(payload, i);
    const stop = eol < 0 ? n : eol;
    const content = stop > i && payload[stop - 1] === 0x0d ? stop - 1 : stop;
    if (content === i) {
      headerEnd = i;
      i = eol < 0 ? n : eol + 1;
      break;
    }
    if (cookie < 0 && (headerNameIs(payload, i, content, kind === 'request' ? 'cookie' : 'set-cookie'))) {
      let v = i + (kind === 'request' ? 7 : 11);
      while (v < content && (payload[v] === 0x20 || payload[v] === 0x09)) v++;
      cookie = v;
      cookieEnd = content;
    }
    if (eol < 0) {
      i = n;
      break;
    }
    i = eol + 1;
  }
  const hEnd = headerEnd < 0 ? n : headerEnd;
  out.set(BUFFER_IDS.http_header, headerStart, hEnd);
  out.set(BUFFER_IDS.http_raw_header, headerStart, hEnd);
  if (cookie >= 0) {
    out.set(BUFFER_IDS.http_cookie, cookie, cookieEnd);
    out.set(BUFFER_IDS.http_raw_cookie, cookie, cookieEnd);
  } else {
    out.absent(BUFFER_IDS.http_cookie);
    out.absent(BUFFER_IDS.http_raw_cookie);
  }
  if (headerEnd >= 0) {
    if (kind === 'request') out.set(BUFFER_IDS.http_client_body, i, n);
    out.set(BUFFER_IDS.file_data, i, n);
  } else {
    // Headers continue in a later segment: no body in this payload.
    if (kind === 'request') out.absent(BUFFER_IDS.http_client_body);
    out.absent(BUFFER_IDS.file_data);
  }
}
