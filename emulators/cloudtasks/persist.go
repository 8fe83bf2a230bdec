package cloudtasks

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"time"

	"cloud.google.com/go/cloudtasks/apiv2/cloudtaskspb"
	"google.golang.org/protobuf/encoding/protojson"
)

// snapshot is the StateFile format (version 1). Queue and task messages are protojson so the
// file stays readable and survives proto field additions.
type snapshot struct {
	Version int             `json:"version"`
	SavedAt time.Time       `json:"saved_at"`
	Queues  []queueSnapshot `json:"queues"`
}

type queueSnapshot struct {
	Queue      json.RawMessage      `json:"queue"`
	Tasks      []taskSnapshot       `json:"tasks"`
	Tombstones map[string]time.Time `json:"tombstones,omitempty"`
}

type taskSnapshot struct {
	Task         json.RawMessage `json:"task"`
	ExecCount    int32           `json:"exec_count,omitempty"`
	PrevResponse int32           `json:"prev_response,omitempty"`
	RetryReason  string          `json:"retry_reason,omitempty"`
}

// saveIfDirty writes the snapshot when state changed since the last write.
func (s *Server) saveIfDirty() error {
	s.mu.Lock()
	dirty := s.dirty
	s.mu.Unlock()
	if !dirty {
		return nil
	}
	return s.save()
}

// save writes StateFile atomically (temp file + rename). Tasks in flight are saved as pending:
// after a restart they are dispatched again, as Cloud Tasks would after losing a worker.
func (s *Server) save() error {
	if s.opts.StateFile == "" {
		return nil
	}
	s.mu.Lock()
	data, err := s.snapshotLocked()
	s.dirty = false
	s.mu.Unlock()
	if err != nil {
		return err
	}
	tmp := s.opts.StateFile + ".tmp"
	if err := os.WriteFile(tmp, data, 0o600); err != nil {
		return fmt.Errorf("cloudtasks.save: %w", err)
	}
	if err := os.Rename(tmp, s.opts.StateFile); err != nil {
		return fmt.Errorf("cloudtasks.save: %w", err)
	}
	return nil
}

// snapshotLocked encodes the state; it runs under s.mu because it reads live maps.
func (s *Server) snapshotLocked() ([]byte, error) {
	snap := &snapshot{Version: 1, SavedAt: time.Now().UTC()}
	for _, q := range s.queues {
		qb, err := protojson.Marshal(q.pb)
		if err != nil {
			return nil, fmt.Errorf("cloudtasks.save: queue %s: %w", q.pb.GetName(), err)
		}
		qs := queueSnapshot{Queue: qb, Tombstones: q.tombstones}
		for _, t := range q.tasks {
			if t.enc == nil { // only tasks changed since the last snapshot are re-encoded
				tb, err := protojson.Marshal(t.pb)
				if err != nil {
					return nil, fmt.Errorf("cloudtasks.save: task %s: %w", t.pb.GetName(), err)
				}
				t.enc = tb
			}
			qs.Tasks = append(qs.Tasks, taskSnapshot{
				Task: t.enc, ExecCount: t.execCount, PrevResponse: t.prevResponse, RetryReason: t.retryReason,
			})
		}
		snap.Queues = append(snap.Queues, qs)
	}
	data, err := json.Marshal(snap)
	if err != nil {
		return nil, fmt.Errorf("cloudtasks.save: %w", err)
	}
	return data, nil
}

// load restores StateFile; a missing file is an empty state.
func (s *Server) load() error {
	if s.opts.StateFile == "" {
		return nil
	}
	data, err := os.ReadFile(s.opts.StateFile)
	if errors.Is(err, fs.ErrNotExist) {
		return os.MkdirAll(filepath.Dir(s.opts.StateFile), 0o755)
	}
	if err != nil {
		return fmt.Errorf("load state: %w", err)
	}
	var snap snapshot
	if err := json.Unmarshal(data, &snap); err != nil {
		return fmt.Errorf("load state %s: %w", s.opts.StateFile, err)
	}
	if snap.Version != 1 {
		return fmt.Errorf("load state %s: unsupported version %d", s.opts.StateFile, snap.Version)
	}
	now := time.Now()
	for _, qs := range snap.Queues {
		if err := s.restoreQueue(qs, now); err != nil {
			return fmt.Errorf("load state %s: %w", s.opts.StateFile, err)
		}
	}
	return nil
}

func (s *Server) restoreQueue(qs queueSnapshot, now time.Time) error {
	pb := &cloudtaskspb.Queue{}
	if err := protojson.Unmarshal(qs.Queue, pb); err != nil {
		return fmt.Errorf("queue: %w", err)
	}
	if _, _, err := splitQueueName(pb.GetName()); err != nil {
		return err
	}
	q := newQueue(pb, now)
	for name, exp := range qs.Tombstones {
		q.tombstones[name] = exp
	}
	for _, ts := range qs.Tasks {
		tp := &cloudtaskspb.Task{}
		if err := protojson.Unmarshal(ts.Task, tp); err != nil {
			return fmt.Errorf("task: %w", err)
		}
		t := &task{pb: tp, due: tp.GetScheduleTime().AsTime(), index: -1,
			execCount: ts.ExecCount, prevResponse: ts.PrevResponse, retryReason: ts.RetryReason}
		q.tasks[tp.GetName()] = t
		q.push(t)
	}
	s.queues[pb.GetName()] = q
	return nil
}
