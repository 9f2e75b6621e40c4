/** Packets in: capture reading (pcap, pcapng, gzip) and decoding to 5-tuple + payload. */
export { CaptureParser } from './parser.js';
export {
  CaptureReader,
  readCapture,
  drained,
  parseCaptureBuffer,
  type CaptureSource,
  type CaptureSummary,
  type ParsedCapture,
  type ReadOptions,
} from './reader.js';
export {
  DECODED_LINK_TYPES,
  DecodedPacket,
  Decoder,
  DecodeStatus,
  decodePacket,
  formatAddress,
  IpProto,
  MAX_TUNNEL_DEPTH,
  TcpFlag,
  TunnelType,
  type DecodeCounts,
} from './decode.js';
export {
  Packet,
  LinkType,
  linkTypeName,
  type CaptureFormat,
  type CaptureInterface,
  type CaptureWarnings,
  type ParserOptions,
} from './types.js';
