// Package cenctest holds test-only decryptors for HLS SAMPLE-AES in
// MPEG-TS (Apple, "MPEG-2 Stream Encryption Format for HTTP Live
// Streaming"), written from the specification and independently of
// package cenc's encryptors, so that tests can check the encryption where
// no outside tool is exact: ffmpeg 5.1 decrypts SAMPLE-AES but leaves
// emulation prevention removed from the slices it decrypts.
package cenctest
