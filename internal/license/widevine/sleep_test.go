package widevine_test

import "time"

// sleepBriefly paces retries while a cached setting expires.
func sleepBriefly() { time.Sleep(50 * time.Millisecond) }
