package store

import (
	"bytes"
	"fmt"
	"time"
)

// Limits on user records, so that one user cannot make every token (or
// every listing) large.
const (
	MaxUserNameLen  = 256
	MaxGroupNameLen = 256
	MaxClaimsBytes  = 16 << 10
)

// User is a viewer known to the security token service: the entitlement
// source of playback tokens.
type User struct {
	// Name is the login name; unique case-insensitively, keeps its casing.
	Name string
	// ID is a stable opaque identifier (the tokens' sub), unique.
	ID          string
	DisplayName string
	// Secret is an opaque sealed blob (the credential hash, sealed with
	// UserAAD); nil when the user has no credential of its own.
	Secret []byte
	// Claims is a JSON object of extra token claims; nil when none.
	Claims []byte
	// Groups lists the user's groups in bytewise order. Reads fill it;
	// CreateUser and ReplaceUser ignore it (see AddGroup, RemoveGroup).
	Groups []string
	// Created and Modified are set by the caller.
	Created  time.Time
	Modified time.Time
	// Version increases on every ReplaceUser; it checks it when non-zero.
	Version int64
}

// ValidateUser checks what every backend needs of a user record. Errors
// wrap ErrInvalid.
func ValidateUser(u *User) error {
	switch {
	case u == nil:
		return fmt.Errorf("%w: nil user", ErrInvalid)
	case u.Name == "" || len(u.Name) > MaxUserNameLen || !ValidText(u.Name):
		return fmt.Errorf("%w: user name must be 1 to %d bytes of text", ErrInvalid, MaxUserNameLen)
	case u.ID == "" || len(u.ID) > MaxUserNameLen || !ValidText(u.ID):
		return fmt.Errorf("%w: user id must be 1 to %d bytes of text", ErrInvalid, MaxUserNameLen)
	case len(u.DisplayName) > MaxUserNameLen || !ValidText(u.DisplayName):
		return fmt.Errorf("%w: display name must be at most %d bytes of text", ErrInvalid, MaxUserNameLen)
	case len(u.Claims) > MaxClaimsBytes:
		return fmt.Errorf("%w: claims larger than %d bytes", ErrInvalid, MaxClaimsBytes)
	}
	if len(u.Claims) > 0 {
		if err := ValidateDoc(u.Claims); err != nil {
			return fmt.Errorf("user claims: %w", err)
		}
		if bytes.TrimLeft(u.Claims, " \t\r\n")[0] != '{' {
			return fmt.Errorf("%w: user claims must be a JSON object", ErrInvalid)
		}
	}
	return nil
}

// ValidGroup reports whether g can name a group: 1 to MaxGroupNameLen
// bytes of text.
func ValidGroup(g string) bool {
	return g != "" && len(g) <= MaxGroupNameLen && ValidText(g)
}
