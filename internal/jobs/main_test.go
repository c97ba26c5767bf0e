package jobs_test

import (
	"testing"

	"github.com/lockstream/lockstream/internal/test/pgtest"
)

func TestMain(m *testing.M) { pgtest.Main(m) }
