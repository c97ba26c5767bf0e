// Package licensetest runs a whole Lockstream node for license-route
// tests: management calls, token-restricted content key policies, locators
// with their keys, and key-delivery requests with HS256 tokens.
package licensetest
