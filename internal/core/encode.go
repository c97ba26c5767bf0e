package core

import (
	"context"
	"path/filepath"

	"github.com/lockstream/lockstream/internal/conf"
	"github.com/lockstream/lockstream/internal/encode"
	"github.com/lockstream/lockstream/internal/jobs"
	"github.com/lockstream/lockstream/internal/store"
)

// startEncoder starts the job engine of the encode role. A node without
// ffmpeg keeps running its other roles: the engine logs why it leases no
// jobs and /readyz reports it.
func (c *Core) startEncoder() error {
	if !c.Conf.HasRole(conf.RoleEncode) {
		return nil
	}
	ec := c.Conf.Encode
	scratch := ec.ScratchDir
	if scratch == "" {
		scratch = filepath.Join(c.Conf.DataDir, "encode-scratch")
	}
	e := &jobs.Engine{
		Store:        c.store,
		Blob:         c.blob,
		Sealer:       c.keyring,
		Encoder:      &encode.Encoder{FFmpeg: ec.FFmpeg, FFprobe: ec.FFprobe, ScratchDir: scratch},
		Log:          c.Log.With("component", "encode"),
		Workers:      ec.Workers,
		ScratchDir:   scratch,
		ScratchMax:   ec.ScratchMaxMB << 20,
		FFprobe:      ec.FFprobe,
		MaxHTTPInput: ec.HTTPMaxMB << 20,
		HTTPTimeout:  ec.HTTPTimeout.Std(),
		MaxAttempts:  ec.MaxAttempts,
		HTTP:         c.outbound,
		OnChange:     jobEvents,
	}
	if err := e.Initialize(); err != nil {
		return err
	}
	c.encoder = e
	return nil
}

// OpenStore opens the configured store for offline tools (the job
// command). Close it when done.
func OpenStore(ctx context.Context, c conf.Conf) (store.Store, error) {
	return openStore(ctx, &c)
}
