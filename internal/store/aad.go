package store

// ResourceAAD is the associated data for sealing a resource's Secret:
// "res:<kind>:<scope>:<lower(name)>". Binding the blob to its row stops a
// sealed secret from being copied to another resource and opened there.
// The name is case-folded so that a Replace that changes the name's casing
// keeps the blob openable.
func ResourceAAD(kind Kind, scope, name string) string {
	return "res:" + string(kind) + ":" + scope + ":" + NameKey(name)
}

// ContentKeyAAD is the associated data for sealing a ContentKey's value:
// "ck:<scope>:<lower(locatorName)>:<kid>". kid is used as given (content
// key ids are stored lower-case).
func ContentKeyAAD(scope, locatorName, kid string) string {
	return "ck:" + scope + ":" + NameKey(locatorName) + ":" + kid
}

// UserAAD is the associated data for sealing a User's Secret:
// "user:<lower(name)>".
func UserAAD(name string) string {
	return "user:" + NameKey(name)
}
