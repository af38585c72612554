package tilebench

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// Server is an `atlas serve` child process.
type Server struct {
	URL  string // http://127.0.0.1:port
	cmd  *exec.Cmd
	done chan struct{}
	err  error // of Wait, valid once done is closed
}

// FreeAddr returns a loopback address with a port free right now.
func FreeAddr() (string, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	addr := ln.Addr().String()
	return addr, ln.Close()
}

// StartServer runs `bin serve --addr ADDR --prewarm-maxzoom -1` on a free
// loopback port with DATABASE_URL set to databaseURL, its output going to
// logw, and waits until /readyz answers 200. The process has its own
// process group (a terminal's Ctrl-C reaches only the bench, which stops
// it) and is sent SIGTERM if the bench dies.
func StartServer(ctx context.Context, bin, databaseURL string, logw io.Writer, readyTimeout time.Duration) (*Server, error) {
	addr, err := FreeAddr()
	if err != nil {
		return nil, err
	}
	cmd := exec.Command(bin, "serve", "--addr", addr, "--prewarm-maxzoom", "-1")
	env := []string{}
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "DATABASE_URL=") && !strings.HasPrefix(kv, "ATLAS_ADDR=") {
			env = append(env, kv)
		}
	}
	cmd.Env = append(env, "DATABASE_URL="+databaseURL)
	cmd.Stdout, cmd.Stderr = logw, logw
	cmd.SysProcAttr = sysProcAttr()
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("start %s: %w", bin, err)
	}
	s := &Server{URL: "http://" + addr, cmd: cmd, done: make(chan struct{})}
	go func() {
		s.err = cmd.Wait()
		close(s.done)
	}()
	if err := s.waitReady(ctx, readyTimeout); err != nil {
		s.Stop(10 * time.Second) //nolint:errcheck // the readiness error is the one to report
		return nil, err
	}
	return s, nil
}

// Pid is the server's process id.
func (s *Server) Pid() int { return s.cmd.Process.Pid }

func (s *Server) waitReady(ctx context.Context, timeout time.Duration) error {
	deadline := time.Now().Add(timeout)
	c := &http.Client{Timeout: 2 * time.Second}
	last := "no answer"
	for {
		req, _ := http.NewRequestWithContext(ctx, http.MethodGet, s.URL+"/readyz", nil)
		resp, err := c.Do(req)
		if err == nil {
			b, _ := io.ReadAll(io.LimitReader(resp.Body, 500))
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return nil
			}
			last = fmt.Sprintf("HTTP %d %s", resp.StatusCode, strings.TrimSpace(string(b)))
		} else {
			last = err.Error()
		}
		select {
		case <-s.done:
			return fmt.Errorf("atlas serve exited before being ready: %v", s.err)
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(100 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("atlas serve not ready after %s: /readyz: %s", timeout, last)
		}
	}
}

// Stop sends SIGTERM and waits for the graceful shutdown, killing the
// process after grace. It returns the process's failure, if any.
func (s *Server) Stop(grace time.Duration) error {
	select {
	case <-s.done:
		return exitError(s.err)
	default:
	}
	if err := s.cmd.Process.Signal(syscall.SIGTERM); err != nil && !errors.Is(err, os.ErrProcessDone) {
		return err
	}
	select {
	case <-s.done:
		return exitError(s.err)
	case <-time.After(grace):
		s.cmd.Process.Kill() //nolint:errcheck // best effort
		<-s.done
		return fmt.Errorf("atlas serve did not stop within %s of SIGTERM: killed", grace)
	}
}

func exitError(err error) error {
	if err != nil {
		return fmt.Errorf("atlas serve: %w", err)
	}
	return nil
}

// PeakRSS is the process's peak resident set size (VmHWM), in bytes.
func PeakRSS(pid int) (int64, error) {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/status")
	if err != nil {
		return 0, err
	}
	return ParseVmHWM(string(b))
}

// ParseVmHWM reads the VmHWM line of a /proc/PID/status text, in bytes.
func ParseVmHWM(status string) (int64, error) {
	for _, line := range strings.Split(status, "\n") {
		v, ok := strings.CutPrefix(line, "VmHWM:")
		if !ok {
			continue
		}
		f := strings.Fields(v)
		if len(f) != 2 || f[1] != "kB" {
			return 0, fmt.Errorf("unexpected VmHWM line %q", line)
		}
		kb, err := strconv.ParseInt(f[0], 10, 64)
		if err != nil {
			return 0, fmt.Errorf("unexpected VmHWM line %q", line)
		}
		return kb * 1024, nil
	}
	return 0, errors.New("no VmHWM in process status")
}

// startServer starts atlas serve for a bench run, with an HTTP client
// sized for its load; stop ends both.
func startServer(ctx context.Context, log *slog.Logger, bin, databaseURL string, logw io.Writer, readyTimeout time.Duration, concurrency int) (*Server, *http.Client, error) {
	log.Info("starting atlas serve", "bin", bin)
	srv, err := StartServer(ctx, bin, databaseURL, logw, readyTimeout)
	if err != nil {
		return nil, nil, err
	}
	return srv, NewClient(concurrency, 2*time.Minute), nil
}

// stop closes the client's connections and stops the server gracefully.
func (s *Server) stop(log *slog.Logger, client *http.Client) error {
	client.CloseIdleConnections()
	log.Info("stopping atlas serve (SIGTERM)", "pid", s.Pid())
	return s.Stop(15 * time.Second)
}
