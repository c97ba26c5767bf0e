// Package logger builds the process's slog.Logger from configuration.
package logger
