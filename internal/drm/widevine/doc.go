// Package widevine builds the Widevine signalling Lockstream puts into
// manifests and init segments: the WidevinePsshData protobuf message, its
// version 0 PSSH box, and the HLS form of that box (a data: URI in
// EXT-X-KEY). It does not mint licenses; those come from Google's license
// service, to which Lockstream can only proxy.
//
// # Why hand-written protobuf
//
// WidevinePsshData is a proto2 message with a handful of scalar fields
// (public definition in shaka-packager). Encoding them with
// google.golang.org/protobuf/encoding/protowire avoids generated code and a
// .proto file in the tree, while the tests check the output against the
// schema with dynamicpb. Field numbers:
//
//	2 key_id             repeated bytes  16-byte key IDs, UUID byte order
//	3 provider           string
//	4 content_id         bytes
//	6 policy             string
//	9 protection_scheme  uint32          FourCC as big-endian u32
//
// Other fields (the legacy algorithm and track_type, key rotation,
// grouped licenses, entitlement) are not written and are skipped when
// decoding.
//
// # Conventions followed
//
// Like shaka-packager, [PsshData.Marshal] writes every key ID, writes
// protection_scheme only when it is not "cenc" (absence means cenc), and
// the box is version 0: Widevine CDMs read key IDs from the data, not from
// a version 1 box.
package widevine
