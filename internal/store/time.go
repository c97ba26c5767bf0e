package store

import "time"

// TimeLayout is the AMS wire format: UTC with exactly seven fractional
// digits, so that text order equals time order.
const TimeLayout = "2006-01-02T15:04:05.0000000Z"

// FormatTime formats t in TimeLayout.
func FormatTime(t time.Time) string { return t.UTC().Format(TimeLayout) }
