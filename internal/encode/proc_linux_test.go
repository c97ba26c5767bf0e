package encode

import (
	"os"
	"os/exec"
	"strconv"
	"strings"
	"testing"
)

// TestLimitMemory: the data-size limit lands on the child process.
func TestLimitMemory(t *testing.T) {
	cmd := exec.Command("sleep", "30")
	cmd.SysProcAttr = procAttr()
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() { _ = cmd.Process.Kill(); _ = cmd.Wait() }()
	limitMemory(cmd.Process.Pid, 3<<30)
	b, err := os.ReadFile("/proc/" + strconv.Itoa(cmd.Process.Pid) + "/limits")
	if err != nil {
		t.Fatal(err)
	}
	for _, line := range strings.Split(string(b), "\n") {
		if strings.HasPrefix(line, "Max data size") {
			if f := strings.Fields(line); len(f) < 5 || f[3] != strconv.Itoa(3<<30) || f[4] != strconv.Itoa(3<<30) {
				t.Fatalf("limit line %q; want 3 GiB soft and hard", line)
			}
			return
		}
	}
	t.Fatalf("no data size limit in\n%s", b)
}
