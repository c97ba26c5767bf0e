package cenc_test

import (
	"bytes"
	"context"
	"os"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/Eyevinn/mp4ff/mp4"

	"github.com/lockstream/lockstream/internal/cenc"
	"github.com/lockstream/lockstream/internal/cmaf"
	"github.com/lockstream/lockstream/internal/media"
	"github.com/lockstream/lockstream/internal/test/mediatest"
)

// The benchmark asset is internal/origin's: 30 s of 1920x1080p30 H.264
// High at 4 Mbit/s (2 s GOP) plus AAC, one progressive MP4 generated once
// into a directory kept across runs and shared with the origin
// benchmarks.
var bench struct {
	once sync.Once
	p    *media.Presentation
	src  *mediatest.DirSource
	err  error
}

func bench1080p(b *testing.B) (*media.Presentation, *mediatest.DirSource) {
	b.Helper()
	bench.once.Do(func() {
		set := mediatest.Bench1080p(b)
		dir, name, path := set.Dir, set.Files[0].Name, set.Files[0].Path
		st, err := os.Stat(path)
		if err != nil {
			bench.err = err
			return
		}
		bench.src = mediatest.NewDirSource(dir)
		bench.p, bench.err = media.Load(context.Background(), bench.src, []media.Ref{{File: name, Size: st.Size()}}, media.Options{})
	})
	if bench.err != nil {
		b.Fatal(bench.err)
	}
	return bench.p, bench.src
}

// BenchmarkFragment measures what a CMAF segment request costs, from a
// warm page cache and a parsed presentation: media.ReadSegment,
// cmaf.Fragment, encryption, cmaf.FragmentBytes. Each op is one 4 s
// segment of the 1080p video track (about 2 MB), cycling through the
// asset; MB/s counts output bytes. The mp4ff-* variants encrypt with
// mp4ff's FragmentEncryptor instead, for comparison.
// fragmentVariant is one way of encrypting a fragment in the benchmarks.
type fragmentVariant struct {
	name    string
	encrypt func(f *mp4.Fragment, d *media.SegmentData) error
}

// fragmentVariants are clear, cenc and cbcs, and the same two schemes
// with mp4ff's FragmentEncryptor, for t.
func fragmentVariants(b *testing.B, t *media.Track) []fragmentVariant {
	c, err := cenc.NewCipher(testKey)
	if err != nil {
		b.Fatal(err)
	}
	protections := map[cenc.Scheme]*cenc.Protection{}
	ipds := map[cenc.Scheme]*mp4.InitProtectData{}
	for _, s := range []cenc.Scheme{cenc.CENC, cenc.CBCS} {
		protections[s] = protection(b, t, s)
		init, err := cmaf.Init(t)
		if err != nil {
			b.Fatal(err)
		}
		iv := make([]byte, 8)
		if s == cenc.CBCS {
			civ := cenc.DeriveConstantIV(testKID)
			iv = civ[:]
		}
		ipd, err := mp4.InitProtect(decodeInit(b, init), nil, iv, string(s), mp4.UUID(testKID[:]), nil)
		if err != nil {
			b.Fatal(err)
		}
		ipds[s] = ipd
	}
	return []fragmentVariant{
		{"clear", func(*mp4.Fragment, *media.SegmentData) error { return nil }},
		{"cenc", func(f *mp4.Fragment, d *media.SegmentData) error {
			return cenc.NewEncryptor(protections[cenc.CENC], c).EncryptFragment(f, uint64(d.Seg.First))
		}},
		{"cbcs", func(f *mp4.Fragment, d *media.SegmentData) error {
			return cenc.NewEncryptor(protections[cenc.CBCS], c).EncryptFragment(f, uint64(d.Seg.First))
		}},
		{"mp4ff-cenc", func(f *mp4.Fragment, _ *media.SegmentData) error {
			e, err := ipds[cenc.CENC].NewFragmentEncryptor(testKey[:], make([]byte, 8))
			if err != nil {
				return err
			}
			return e.EncryptFragment(f)
		}},
		{"mp4ff-cbcs", func(f *mp4.Fragment, _ *media.SegmentData) error {
			iv := cenc.DeriveConstantIV(testKID)
			e, err := ipds[cenc.CBCS].NewFragmentEncryptor(testKey[:], iv[:])
			if err != nil {
				return err
			}
			return e.EncryptFragment(f)
		}},
	}
}

func BenchmarkFragment(b *testing.B) {
	p, src := bench1080p(b)
	t := p.Video()[0]
	for _, bc := range fragmentVariants(b, t) {
		b.Run(bc.name, func(b *testing.B) {
			ctx := context.Background()
			run := func(k int) int {
				d, err := media.ReadSegment(ctx, src, t, k)
				if err != nil {
					b.Fatal(err)
				}
				f, err := cmaf.Fragment(d, uint32(k+1))
				if err != nil {
					b.Fatal(err)
				}
				if err := bc.encrypt(f, d); err != nil {
					b.Fatal(err)
				}
				out, err := cmaf.FragmentBytes(f, true)
				if err != nil {
					b.Fatal(err)
				}
				return len(out)
			}
			n, size := len(t.Segments), 0
			for k := range n {
				size += run(k)
			}
			b.SetBytes(int64(size / n))
			b.ReportAllocs()
			cpu := startCPU()
			i := 0
			for b.Loop() {
				run(i % n)
				i++
			}
			cpu.report(b, size/n)
		})
	}
}

// BenchmarkFragmentInterleaved runs the pipelines of BenchmarkFragment in
// turn on each segment, rotating their order, so that load from other
// processes on a shared host falls on all of them alike. For each
// pipeline and segment it keeps the fastest run (the usual defence
// against such load) and reports the resulting per-core throughputs
// (<name>-MB/s, output bytes) and each encrypted pipeline's as a
// percentage of clear's (<name>-%). One op is one segment through all
// pipelines.
func BenchmarkFragmentInterleaved(b *testing.B) {
	p, src := bench1080p(b)
	t := p.Video()[0]
	vs := fragmentVariants(b, t)
	ctx := context.Background()
	n := len(t.Segments)
	best := make([][]time.Duration, len(vs))
	for v := range best {
		best[v] = make([]time.Duration, n)
	}
	size := make([]int, n)
	run := func(k, v int) {
		start := time.Now()
		d, err := media.ReadSegment(ctx, src, t, k)
		if err != nil {
			b.Fatal(err)
		}
		f, err := cmaf.Fragment(d, uint32(k+1))
		if err != nil {
			b.Fatal(err)
		}
		if err := vs[v].encrypt(f, d); err != nil {
			b.Fatal(err)
		}
		out, err := cmaf.FragmentBytes(f, true)
		if err != nil {
			b.Fatal(err)
		}
		if el := time.Since(start); best[v][k] == 0 || el < best[v][k] {
			best[v][k] = el
		}
		if v == 0 {
			size[k] = len(out)
		}
	}
	i := 0
	for b.Loop() {
		for j := range vs {
			run(i%n, (i+j)%len(vs))
		}
		i++
	}
	if i < len(vs)*n {
		return // too few runs for every segment and pipeline
	}
	total := 0
	for _, s := range size {
		total += s
	}
	mbps := make([]float64, len(vs))
	for v := range vs {
		var sum time.Duration
		for _, d := range best[v] {
			sum += d
		}
		mbps[v] = float64(total) / sum.Seconds() / 1e6
		b.ReportMetric(mbps[v], vs[v].name+"-MB/s")
		if v > 0 {
			b.ReportMetric(100*mbps[v]/mbps[0], vs[v].name+"-%")
		}
	}
}

// BenchmarkSealSegment measures HLS AES-128 (CBC) over a 2 MiB segment in
// place, the costliest mode per byte.
func BenchmarkSealSegment(b *testing.B) {
	c, err := cenc.NewCipher(testKey)
	if err != nil {
		b.Fatal(err)
	}
	seg := bytes.Repeat([]byte{0x47, 1, 2, 3}, 1<<19)
	buf := make([]byte, len(seg), len(seg)+cenc.SealOverhead)
	b.SetBytes(int64(len(seg)))
	cpu := startCPU()
	for b.Loop() {
		copy(buf[:len(seg)], seg)
		if _, err := c.SealSegment(buf[:len(seg)], 0, cenc.SequenceIV(7)); err != nil {
			b.Fatal(err)
		}
	}
	cpu.report(b, len(seg))
}

// cpuClock measures the process's CPU time (user + system, all threads,
// GC included) over a benchmark loop. On a shared host wall time also
// counts the time other processes hold the CPU; CPU time does not, so
// "cpu-MB/s" (bytes per op over CPU seconds per op) is the steadier
// per-core throughput. Run with -cpu 1 so that it is one core's.
type cpuClock struct{ start time.Duration }

func startCPU() cpuClock { return cpuClock{processCPU()} }

func (c cpuClock) report(b *testing.B, bytesPerOp int) {
	if b.N == 0 {
		return
	}
	perOp := float64(processCPU()-c.start) / float64(b.N)
	b.ReportMetric(perOp, "cpu-ns/op")
	if perOp > 0 {
		b.ReportMetric(float64(bytesPerOp)/perOp*1e3, "cpu-MB/s")
	}
}

func processCPU() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
