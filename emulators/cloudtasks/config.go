package cloudtasks

import (
	"fmt"
	"math"
	"time"

	"cloud.google.com/go/cloudtasks/apiv2/cloudtaskspb"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/durationpb"
)

// Service defaults a queue gets for fields left unset (what `gcloud tasks queues describe`
// shows for a queue created without flags), and the documented upper limits.
const (
	defaultRate          = 500.0
	maxRate              = 500.0
	defaultConcurrency   = 1000
	maxConcurrency       = 5000
	defaultMaxAttempts   = 100
	defaultMinBackoff    = 100 * time.Millisecond
	defaultMaxBackoff    = time.Hour
	defaultMaxDoublings  = 16
	maxBurstCap          = 100
	defaultDeadline      = 10 * time.Minute
	minDeadline          = 15 * time.Second
	maxDeadline          = 30 * time.Minute
	maxScheduleAhead     = 30 * 24 * time.Hour
	taskRetention        = 31 * 24 * time.Hour
	maxTaskSize          = 1 << 20
	maxHeaderBytes       = 80 << 10
	maxURLLength         = 2083
	defaultTombstoneTTL  = 24 * time.Hour
	defaultSnapshotEvery = 2 * time.Second
)

// retryPolicy is a RetryConfig resolved to Go values.
type retryPolicy struct {
	maxAttempts  int32 // -1 = unlimited
	maxRetryDur  time.Duration
	minBackoff   time.Duration
	maxBackoff   time.Duration
	maxDoublings int32
}

// burstFor is the emulator's choice of the output-only max_burst_size: the rate rounded up,
// at least 1 and at most 100 (a default 500/s queue shows 100 in GCP).
func burstFor(rate float64) int32 {
	return int32(min(max(math.Ceil(rate), 1), maxBurstCap))
}

// normalizeRateLimits fills defaults and validates; it returns a new message.
func normalizeRateLimits(in *cloudtaskspb.RateLimits) (*cloudtaskspb.RateLimits, error) {
	rate, conc := in.GetMaxDispatchesPerSecond(), in.GetMaxConcurrentDispatches()
	switch {
	case rate < 0 || rate > maxRate || math.IsNaN(rate):
		return nil, fmt.Errorf("rate_limits.max_dispatches_per_second %v must be in [0, %v]", rate, maxRate)
	case conc < 0 || conc > maxConcurrency:
		return nil, fmt.Errorf("rate_limits.max_concurrent_dispatches %d must be in [0, %d]", conc, maxConcurrency)
	}
	if rate == 0 {
		rate = defaultRate
	}
	if conc == 0 {
		conc = defaultConcurrency
	}
	return &cloudtaskspb.RateLimits{
		MaxDispatchesPerSecond: rate, MaxConcurrentDispatches: conc, MaxBurstSize: burstFor(rate),
	}, nil
}

// validateRetryConfig rejects out-of-range retry settings (nil is valid).
func validateRetryConfig(rc *cloudtaskspb.RetryConfig) error {
	if rc == nil {
		return nil
	}
	if rc.GetMaxAttempts() < -1 {
		return fmt.Errorf("retry_config.max_attempts %d must be >= -1", rc.GetMaxAttempts())
	}
	if rc.GetMaxDoublings() < 0 {
		return fmt.Errorf("retry_config.max_doublings %d must be >= 0", rc.GetMaxDoublings())
	}
	for field, d := range map[string]*durationpb.Duration{
		"max_retry_duration": rc.GetMaxRetryDuration(), "min_backoff": rc.GetMinBackoff(), "max_backoff": rc.GetMaxBackoff(),
	} {
		if d == nil {
			continue
		}
		if err := d.CheckValid(); err != nil || d.AsDuration() < 0 {
			return fmt.Errorf("retry_config.%s %v must be a non-negative duration", field, d)
		}
	}
	minB, maxB := rc.GetMinBackoff(), rc.GetMaxBackoff()
	if minB != nil && maxB != nil && minB.AsDuration() > maxB.AsDuration() && maxB.AsDuration() > 0 {
		return fmt.Errorf("retry_config.min_backoff %v exceeds max_backoff %v", minB.AsDuration(), maxB.AsDuration())
	}
	return nil
}

// normalizeRetryConfig fills service defaults into a copy of rc.
func normalizeRetryConfig(rc *cloudtaskspb.RetryConfig) (*cloudtaskspb.RetryConfig, error) {
	if err := validateRetryConfig(rc); err != nil {
		return nil, err
	}
	out := &cloudtaskspb.RetryConfig{}
	if rc != nil {
		out = proto.Clone(rc).(*cloudtaskspb.RetryConfig)
	}
	if out.MaxAttempts == 0 {
		out.MaxAttempts = defaultMaxAttempts
	}
	if out.MinBackoff.AsDuration() == 0 {
		out.MinBackoff = durationpb.New(defaultMinBackoff)
	}
	if out.MaxBackoff.AsDuration() == 0 {
		out.MaxBackoff = durationpb.New(max(defaultMaxBackoff, out.MinBackoff.AsDuration()))
	}
	if out.MaxDoublings == 0 {
		out.MaxDoublings = defaultMaxDoublings
	}
	if out.MaxRetryDuration.AsDuration() == 0 {
		out.MaxRetryDuration = nil
	}
	if out.MinBackoff.AsDuration() > out.MaxBackoff.AsDuration() {
		return nil, fmt.Errorf("retry_config.min_backoff %v exceeds max_backoff %v",
			out.MinBackoff.AsDuration(), out.MaxBackoff.AsDuration())
	}
	return out, nil
}

// policyFor resolves the effective retry policy of a task: its own retry_config fields where
// set (Task.retry_config overrides the queue's), the queue's otherwise.
func policyFor(queueRC, taskRC *cloudtaskspb.RetryConfig) retryPolicy {
	p := retryPolicy{
		maxAttempts: queueRC.GetMaxAttempts(), maxRetryDur: queueRC.GetMaxRetryDuration().AsDuration(),
		minBackoff: queueRC.GetMinBackoff().AsDuration(), maxBackoff: queueRC.GetMaxBackoff().AsDuration(),
		maxDoublings: queueRC.GetMaxDoublings(),
	}
	if taskRC == nil {
		return p
	}
	if taskRC.MaxAttempts != 0 {
		p.maxAttempts = taskRC.MaxAttempts
	}
	if taskRC.MaxRetryDuration != nil {
		p.maxRetryDur = taskRC.MaxRetryDuration.AsDuration()
	}
	if taskRC.MinBackoff != nil {
		p.minBackoff = taskRC.MinBackoff.AsDuration()
	}
	if taskRC.MaxBackoff != nil {
		p.maxBackoff = taskRC.MaxBackoff.AsDuration()
	}
	if taskRC.MaxDoublings != 0 {
		p.maxDoublings = taskRC.MaxDoublings
	}
	p.maxBackoff = max(p.maxBackoff, p.minBackoff)
	return p
}
