// Package lockout throttles failed authentication the way identity
// providers' smart lockout does, so that guessing is slowed and stopped
// without letting anyone who knows an account's name lock its owner out.
//
// Failures are counted per (subject, source): the subject is a client id
// or user name, the source the client's IP address (an IPv6 /64, since
// one host commonly holds a whole /64). Requests are not trusted to name
// their own source: X-Forwarded-For is ignored, as Lockstream has no
// trusted-proxy setting.
//
//   - From the DelayAfter-th failure of a source the answer is delayed,
//     doubling up to MaxDelay: guessing slows before anything locks.
//   - Threshold failures within Window lock that source for Duration.
//     Only that source: the owner elsewhere keeps working.
//   - Sources that have authenticated the subject before (within
//     FamiliarFor) are familiar. Failures from unfamiliar sources also
//     count towards one shared counter per subject; at
//     UnfamiliarThreshold every unfamiliar source is locked for Duration,
//     which stops an attacker who spreads guesses over many addresses,
//     while familiar sources keep working (Azure AD's separate counters
//     for familiar and unfamiliar locations).
//   - A success resets its source's counter and marks the source familiar.
//
// State lives in the store (records of one kind, each with an "expires"
// member for sweeping), so every node sharing it sees the same counts and
// locks. Record names are hashes of the subject and source: fixed length
// whatever the attacker sends, and unknown subjects are tracked exactly
// like real ones so lockout reveals nothing about which exist. Locks are
// logged with subject and source, never a secret.
package lockout
