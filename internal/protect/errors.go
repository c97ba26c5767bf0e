package protect

import (
	"errors"
	"fmt"
)

// Refusals, for the origin's MPE mapping (errors.Is); their messages are
// meant for the client.
var (
	// ErrNoKey: the locator has no key for a track its policy encrypts
	// (a broken configuration: never served in the clear).
	ErrNoKey = errors.New("no content key")
	// ErrUnsupported: the scheme cannot be delivered in the requested
	// format.
	ErrUnsupported = errors.New("encryption not supported for format")
	// ErrNoIFrames: the format has no I-frame playlists or fragments
	// under this scheme.
	ErrNoIFrames = errors.New("no I-frames under this encryption")
)

// refusal is a sentinel with a message for the client.
type refusal struct {
	err error
	msg string
}

func (r *refusal) Error() string { return r.msg }
func (r *refusal) Unwrap() error { return r.err }

func refuse(err error, format string, args ...any) error {
	return &refusal{err: err, msg: fmt.Sprintf(format, args...)}
}
