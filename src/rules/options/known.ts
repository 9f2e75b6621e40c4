/**
 * Rule options that Snort 2.9, Snort 3 or Suricata define but that this parser does not
 * model: they reach `Rule.unsupported` (their condition is ignored, a counted
 * approximation) without a warning. Any other option name that no handler reads is
 * UNKNOWN: most likely a typo or a keyword of another tool, and the parser reports it as a
 * `RuleWarning` (kind 'unknown-option', with file and line) on top of recording it as
 * unsupported. Dotted Suricata names (`tls.sni`, `flow.age`) never get here: they are read
 * as sticky buffers (`bufferKeyword`).
 */
export const KNOWN_UNMODELLED_OPTIONS: ReadonlySet<string> = new Set([
  // Snort 2.9 non-payload, payload and post-detection options
  'fragoffset', 'ttl', 'tos', 'id', 'ipopts', 'fragbits', 'icmp_id', 'icmp_seq', 'rpc', 'sameip',
  'stream_reassemble', 'stream_size', 'ftpbounce', 'asn1', 'cvs', 'dce_iface', 'dce_opnum', 'sip_method',
  'sip_stat_code', 'gtp_type', 'gtp_info', 'gtp_version', 'ssl_version', 'ssl_state', 'modbus_func',
  'modbus_unit', 'modbus_data', 'dnp3_func', 'dnp3_ind', 'dnp3_obj', 'dnp3_data', 'byte_extract', 'byte_math',
  'base64_decode', 'protected_content', 'hash', 'length', 'http_encode', 'logto', 'session', 'resp', 'react',
  'activates', 'activated_by', 'count', 'replace', 'byte_test', 'byte_jump', 'isdataat', 'urilen',
  'file_type', 'pkt_num',
  // Snort 3
  'ber_data', 'ber_skip', 'sd_pattern', 'so', 'enable', 'file_meta', 'appids', 'script_data',
  'http_header_test', 'http_trailer_test', 'http_num_headers', 'http_num_trailers', 'http_num_cookies',
  'http_max_header_line', 'http_max_trailer_line', 'http_version_match', 'http_param', 'http_uri_test',
  'cip_attribute', 'cip_class', 'cip_conn_path_class', 'cip_instance', 'cip_req', 'cip_rsp', 'cip_service',
  'cip_status', 'enip_command', 'enip_req', 'enip_rsp', 'iec104_apci_type', 'iec104_asdu_func', 'mms_func',
  'mms_data', 's7commplus_content', 's7commplus_func', 's7commplus_opcode', 'opcua_msg_type', 'opcua_msg_service',
  'opcua_node_id', 'opcua_node_namespace_index', 'gtp_info', 'bufferlen', 'content_len', 'js_data', 'vba_data',
  'ssl_state', 'ssl_version', 'dce_stub_data',
  // Suricata keywords without a dot
  'app-layer-protocol', 'app-layer-event', 'app-layer-state', 'stream-event', 'decode-event', 'engine-event',
  'smb-event', 'dns-event', 'http-event', 'tls-event', 'ssh-event', 'smtp-event', 'flowint', 'xbits', 'hostbits',
  'iprep', 'geoip', 'datarep', 'dataset', 'lua', 'luajit', 'filestore', 'filemagic', 'filename', 'fileext',
  'filemd5', 'filesha1', 'filesha256', 'filesize', 'file_magic', 'file_name', 'bsize', 'noalert', 'prefilter',
  'requires', 'config', 'entropy', 'absent', 'frame', 'pkthdr', 'transform', 'rawbytes',
  'to_sha256', 'to_sha1', 'to_md5', 'dotprefix', 'strip_whitespace', 'compress_whitespace', 'url_decode', 'xor',
  'pcrexform', 'header_lowercase', 'to_lowercase', 'to_uppercase', 'strip_pseudo_headers', 'from_base64',
  'luaxform',
  'ssh_proto', 'ssh_protoversion', 'ssh_software', 'ssh_softwareversion', 'tls_sni', 'tls_cert_subject',
  'tls_cert_issuer', 'tls_cert_serial', 'tls_cert_fingerprint', 'tls_cert_notbefore', 'tls_cert_notafter',
  'tls_cert_expired', 'tls_cert_valid', 'tls_version', 'tls_subject', 'tls_issuerdn', 'tls_fingerprint',
  'tls_store', 'ja3_hash', 'ja3_string', 'ja3s_hash', 'ja3s_string', 'dns_query', 'http_host', 'http_raw_host',
  'http_user_agent', 'http_accept', 'http_accept_enc', 'http_accept_lang', 'http_connection', 'http_content_len',
  'http_content_type', 'http_protocol', 'http_referer', 'http_request_line', 'http_response_line', 'http_server',
  'http_server_body', 'http_start', 'http_header_names', 'http_location', 'ftpdata_command', 'krb5_msg_type',
  'krb5_err_code', 'krb5_cname', 'krb5_sname', 'nfs_procedure', 'ipv4-csum', 'tcpv4-csum', 'tcpv6-csum',
  'udpv4-csum', 'udpv6-csum', 'icmpv4-csum', 'icmpv6-csum', 'tcp-mss', 'icmpv6-mtu', 'template', 'template2',
  'rfb_name', 'rfb_secresult', 'rfb_sectype', 'snmp_version', 'snmp_community', 'snmp_pdu_type', 'sip_protocol',
  'sip_uri', 'sip_request_line', 'sip_stat_msg', 'sip_response_line', 'ike_exchtype', 'ike_spi_initiator',
  'ike_spi_responder', 'ike_chosen_sa_attribute', 'ike_key_exchange_payload_length', 'ike_nonce_payload_length',
  'ike_nonce_payload', 'ike_key_exchange_payload', 'mqtt_type', 'mqtt_flags', 'mqtt_qos', 'mqtt_protocol_version',
  'quic_version', 'quic_sni', 'quic_ua', 'quic_cyu_hash', 'quic_cyu_string', 'modbus', 'enip_status', 'cip_extendedstatus',
  'cip_attribute', 'dcerpc_iface', 'dcerpc_opnum', 'dcerpc_stub_data', 'smb_named_pipe', 'smb_share', 'smb_ntlmssp_user',
  'smb_ntlmssp_domain', 'ftpbounce', 'urilen', 'tcp_mss', 'tag', 'flowbits',
]);
