package dash_test

import (
	"testing"

	"github.com/lockstream/lockstream/internal/packager/packagertest"
)

func newFixture(t *testing.T) *packagertest.Fixture { return packagertest.TwoRenditions(t) }

var frameCounts = packagertest.FrameCounts
