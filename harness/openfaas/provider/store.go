package main

import (
	"context"
	"fmt"
	"io"
	"log"
	"os"
	"sync/atomic"
	"time"
)

// pollInterval is how often the state file is checked. A replica that turns ready is seen
// within it; an os.Stat every 100 ms costs nothing next to the calls being measured, and
// polling needs no inotify (which would not follow a file replaced by rename anyway).
const pollInterval = 100 * time.Millisecond

// store holds the current deployment and reloads it when the harness replaces the file.
// The harness writes a temporary file and renames it over the old one, so a read always
// sees a whole file. The file last read is kept open: its inode cannot then be reused by
// the next version, so a replacement always shows as another inode even when size and
// mtime (coarse on some file systems) did not change.
type store struct {
	path    string
	current atomic.Pointer[deployment]
	held    *os.File
	seen    os.FileInfo
	missing bool
}

// openStore reads the state file once; without a valid first state there is nothing to
// serve, so that is an error for the caller, unlike a bad later version.
func openStore(path string) (*store, error) {
	s := &store{path: path}
	if err := s.load(); err != nil {
		s.close()
		return nil, fmt.Errorf("provider state %s: %w", path, err)
	}
	return s, nil
}

func (s *store) deployment() *deployment {
	return s.current.Load()
}

// reloadIfChanged re-reads the file when it changed since the last look. A file that is
// missing or cannot be parsed keeps the previous deployment; its error is returned once
// (the next call sees the same version and stays quiet). Not safe for concurrent use: only
// the watch loop calls it.
func (s *store) reloadIfChanged() (bool, error) {
	info, err := os.Stat(s.path)
	if err != nil {
		if s.missing {
			return false, nil
		}
		s.missing = true
		return false, err
	}
	s.missing = false
	if s.seen != nil && os.SameFile(s.seen, info) && s.seen.Size() == info.Size() && s.seen.ModTime().Equal(info.ModTime()) {
		return false, nil
	}
	if err := s.load(); err != nil {
		return false, err
	}
	return true, nil
}

// load reads the file through one open descriptor, so the version remembered is exactly
// the version parsed, even if the harness renames a newer one into place meanwhile.
func (s *store) load() error {
	f, err := os.Open(s.path)
	if err != nil {
		return err
	}
	info, err := f.Stat()
	if err != nil {
		f.Close()
		return err
	}
	s.close()
	s.held, s.seen = f, info
	data, err := io.ReadAll(f)
	if err != nil {
		return err
	}
	state, err := parseState(data)
	if err != nil {
		return err
	}
	s.current.Store(newDeployment(state))
	return nil
}

func (s *store) close() {
	if s.held != nil {
		s.held.Close()
		s.held = nil
	}
}

// watch polls until ctx ends, logging one line per bad version of the file.
func (s *store) watch(ctx context.Context, every time.Duration) {
	ticker := time.NewTicker(every)
	defer ticker.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-ticker.C:
			if _, err := s.reloadIfChanged(); err != nil {
				log.Printf("provider state %s: %v; keeping the previous state", s.path, err)
			}
		}
	}
}
