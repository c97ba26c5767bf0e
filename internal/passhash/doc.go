// Package passhash hashes and verifies secrets (client secrets, user
// credentials) with argon2id, storing each hash as a PHC string that
// carries its own parameters:
//
//	$argon2id$v=19$m=<KiB>,t=<passes>,p=<lanes>$<salt>$<hash>
//
// so parameters can change without a migration. A [Hasher] bounds how many
// hashes run at once (each holds MemoryKiB), and verifying against no hash
// costs the same as verifying against a real one, so response times do not
// tell an unknown account from a wrong secret.
package passhash
