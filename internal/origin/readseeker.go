package origin

import (
	"context"
	"errors"
	"io"
)

// blobReadSeeker lets http.ServeContent serve ranges of a blob: each Read
// after a Seek opens one range read from the position to the end.
type blobReadSeeker struct {
	ctx       context.Context
	s         assetReader
	container string
	name      string
	size      int64

	pos int64
	rc  io.ReadCloser
}

func (b *blobReadSeeker) Read(p []byte) (int, error) {
	if b.pos >= b.size {
		return 0, io.EOF
	}
	if b.rc == nil {
		rc, err := b.s.ReadRange(b.ctx, b.container, b.name, b.pos, -1)
		if err != nil {
			return 0, err
		}
		b.rc = rc
	}
	n, err := b.rc.Read(p)
	b.pos += int64(n)
	if errors.Is(err, io.EOF) {
		b.close()
		if b.pos < b.size {
			err = io.ErrUnexpectedEOF
		}
	}
	return n, err
}

func (b *blobReadSeeker) Seek(off int64, whence int) (int64, error) {
	var to int64
	switch whence {
	case io.SeekStart:
		to = off
	case io.SeekCurrent:
		to = b.pos + off
	case io.SeekEnd:
		to = b.size + off
	}
	if to < 0 {
		return 0, errors.New("seek before start")
	}
	if to != b.pos {
		b.close()
		b.pos = to
	}
	return to, nil
}

func (b *blobReadSeeker) close() {
	if b.rc != nil {
		_ = b.rc.Close()
		b.rc = nil
	}
}
