// Package randsrc makes an injected source of randomness safe to share:
// services take an io.Reader (crypto/rand.Reader in service, a fixed
// stream in tests, so that ids and secrets are reproducible) and read it
// from many goroutines, which a test reader such as a bytes.Reader does
// not allow. One Locked serializes the reads.
package randsrc
