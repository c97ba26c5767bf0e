package origin

import (
	"context"
	"io"
	"sync"
)

// maxPooledSegment bounds the buffers kept for reuse: larger segments are
// rare and would pin their memory in the pool.
const maxPooledSegment = 32 << 20

// segmentBuffers recycles segment read buffers between requests: packaging
// a segment otherwise allocates and zeroes megabytes each time, which the
// profile shows as a sixth of the work.
type segmentBuffers struct {
	pool sync.Pool // of *[]byte
}

func (p *segmentBuffers) get(n int) []byte {
	if v, ok := p.pool.Get().(*[]byte); ok && cap(*v) >= n {
		return (*v)[:n]
	}
	return make([]byte, n, n+n/8) // headroom: segments of a track vary in size
}

func (p *segmentBuffers) put(b []byte) {
	if cap(b) <= maxPooledSegment {
		p.pool.Put(&b)
	}
}

// requestSource is one request's view of a container: reads go to the
// blob store, segment buffers come from the server's pool and go back
// when the response has been written (release).
type requestSource struct {
	blobSource
	bufs *segmentBuffers
	out  [][]byte
}

func (r *requestSource) ReadRange(ctx context.Context, name string, off, n int64) (io.ReadCloser, error) {
	return r.blobSource.ReadRange(ctx, name, off, n)
}

// SegmentBuffer implements media.BufferSource.
func (r *requestSource) SegmentBuffer(n int) []byte {
	b := r.bufs.get(n)
	r.out = append(r.out, b)
	return b
}

// release returns the request's buffers; nothing may use them afterwards.
func (r *requestSource) release() {
	for _, b := range r.out {
		r.bufs.put(b)
	}
	r.out = nil
}
