package rehearse

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"syscall"
	"time"
)

// Emulator is a MiniStack server bound to loopback.
type Emulator struct {
	// URL is its endpoint, e.g. http://127.0.0.1:43127.
	URL string
	// Log is the file its output goes to.
	Log string
	cmd *exec.Cmd
}

// StartEmulator starts the ministack program of venv on a free loopback
// port, keeping its data (S3 objects, unpacked functions) under dir, and
// waits until it answers. Its Lambda functions run as local processes
// that reach it through AWS_ENDPOINT_URL.
func StartEmulator(venv, dir string) (*Emulator, error) {
	bin := filepath.Join(venv, "bin", "ministack")
	if _, err := os.Stat(bin); err != nil {
		return nil, fmt.Errorf("MiniStack is not installed in %s (make rehearse installs it)", venv)
	}
	port, err := freePort()
	if err != nil {
		return nil, err
	}
	tmp := filepath.Join(dir, "emulator")
	if err := os.MkdirAll(tmp, 0o755); err != nil {
		return nil, err
	}
	e := &Emulator{URL: fmt.Sprintf("http://127.0.0.1:%d", port), Log: filepath.Join(dir, "ministack.log")}
	log, err := os.Create(e.Log)
	if err != nil {
		return nil, err
	}
	e.cmd = exec.Command(bin)
	e.cmd.Env = append(Environment(os.Environ(), e.URL),
		"BIND_HOST=127.0.0.1", fmt.Sprintf("GATEWAY_PORT=%d", port),
		"MINISTACK_REGION="+Region, "MINISTACK_ACCOUNT_ID="+Account,
		"LAMBDA_EXECUTOR=local", "S3_DATA_DIR="+filepath.Join(tmp, "s3"),
		"TMPDIR="+tmp, "LOG_LEVEL=WARNING")
	e.cmd.Stdout, e.cmd.Stderr = log, log
	// Its own process group, so Stop also ends the functions it spawned.
	e.cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := e.cmd.Start(); err != nil {
		log.Close()
		return nil, fmt.Errorf("starting MiniStack: %w", err)
	}
	log.Close()
	exited := make(chan error, 1)
	go func() { exited <- e.cmd.Wait() }()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	for {
		select {
		case err := <-exited:
			return nil, fmt.Errorf("MiniStack exited at start (%v); its log: %s", err, e.Log)
		case <-ctx.Done():
			e.Stop()
			return nil, fmt.Errorf("MiniStack did not answer on %s within 60 s; its log: %s", e.URL, e.Log)
		case <-time.After(200 * time.Millisecond):
		}
		resp, err := http.Get(e.URL + "/_ministack/health")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return e, nil
			}
		}
	}
}

// Stop ends the emulator and every process it started.
func (e *Emulator) Stop() {
	if e.cmd == nil || e.cmd.Process == nil {
		return
	}
	if err := syscall.Kill(-e.cmd.Process.Pid, syscall.SIGTERM); err != nil && !errors.Is(err, syscall.ESRCH) {
		e.cmd.Process.Kill()
	}
}

func freePort() (int, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port, nil
}
