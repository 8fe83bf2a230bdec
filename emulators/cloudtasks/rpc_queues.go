package cloudtasks

import (
	"context"
	"encoding/base64"
	"regexp"
	"sort"
	"strings"
	"time"

	"cloud.google.com/go/cloudtasks/apiv2/cloudtaskspb"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/emptypb"
	"google.golang.org/protobuf/types/known/timestamppb"
)

func invalid(format string, a ...any) error {
	return status.Errorf(codes.InvalidArgument, format, a...)
}

func notFound(name string) error {
	return status.Errorf(codes.NotFound, "Requested entity was not found: %s", name)
}

// queueLocked returns the named queue. Caller holds s.mu.
func (s *Server) queueLocked(name string) (*queue, error) {
	if s.closed {
		return nil, status.Error(codes.Unavailable, errClosed.Error())
	}
	if _, _, err := splitQueueName(name); err != nil {
		return nil, invalid("%v", err)
	}
	q, ok := s.queues[name]
	if !ok {
		return nil, notFound(name)
	}
	return q, nil
}

// buildQueue validates a caller-supplied queue and returns it with defaults filled.
func buildQueue(in *cloudtaskspb.Queue) (*cloudtaskspb.Queue, error) {
	if in.GetHttpTarget() != nil {
		return nil, status.Error(codes.Unimplemented, "queue-level http_target is not supported by the emulator")
	}
	if in.GetAppEngineRoutingOverride() != nil {
		return nil, status.Error(codes.Unimplemented, "App Engine routing is not supported by the emulator")
	}
	rl, err := normalizeRateLimits(in.GetRateLimits())
	if err != nil {
		return nil, invalid("%v", err)
	}
	rc, err := normalizeRetryConfig(in.GetRetryConfig())
	if err != nil {
		return nil, invalid("%v", err)
	}
	if r := in.GetStackdriverLoggingConfig().GetSamplingRatio(); r < 0 || r > 1 {
		return nil, invalid("stackdriver_logging_config.sampling_ratio %v must be in [0, 1]", r)
	}
	out := &cloudtaskspb.Queue{Name: in.GetName(), RateLimits: rl, RetryConfig: rc, State: cloudtaskspb.Queue_RUNNING}
	if in.GetStackdriverLoggingConfig() != nil {
		out.StackdriverLoggingConfig = proto.Clone(in.GetStackdriverLoggingConfig()).(*cloudtaskspb.StackdriverLoggingConfig)
	}
	return out, nil
}

// CreateQueue creates a RUNNING queue; unset rate and retry fields get service defaults.
func (s *Server) CreateQueue(_ context.Context, req *cloudtaskspb.CreateQueueRequest) (*cloudtaskspb.Queue, error) {
	if err := parseLocation(req.GetParent()); err != nil {
		return nil, invalid("%v", err)
	}
	loc, _, err := splitQueueName(req.GetQueue().GetName())
	if err != nil {
		return nil, invalid("%v", err)
	}
	if loc != req.GetParent() {
		return nil, invalid("queue %s is not in parent %s", req.GetQueue().GetName(), req.GetParent())
	}
	pb, err := buildQueue(req.GetQueue())
	if err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return nil, status.Error(codes.Unavailable, errClosed.Error())
	}
	if _, ok := s.queues[pb.Name]; ok {
		return nil, status.Errorf(codes.AlreadyExists, "Requested entity already exists: %s", pb.Name)
	}
	s.addQueueLocked(pb)
	return proto.Clone(pb).(*cloudtaskspb.Queue), nil
}

func (s *Server) addQueueLocked(pb *cloudtaskspb.Queue) *queue {
	q := newQueue(pb, time.Now())
	s.queues[pb.Name] = q
	s.dirty = true
	s.startScheduler(q)
	return q
}

// GetQueue returns a queue.
func (s *Server) GetQueue(_ context.Context, req *cloudtaskspb.GetQueueRequest) (*cloudtaskspb.Queue, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	q, err := s.queueLocked(req.GetName())
	if err != nil {
		return nil, err
	}
	return proto.Clone(q.pb).(*cloudtaskspb.Queue), nil
}

var stateFilterRE = regexp.MustCompile(`^\s*state\s*[:=]\s*"?([A-Z_]+)"?\s*$`)

// ListQueues lists a location's queues in lexicographical order. Filters: only "state: X".
func (s *Server) ListQueues(_ context.Context, req *cloudtaskspb.ListQueuesRequest) (*cloudtaskspb.ListQueuesResponse, error) {
	if err := parseLocation(req.GetParent()); err != nil {
		return nil, invalid("%v", err)
	}
	want := cloudtaskspb.Queue_STATE_UNSPECIFIED
	if f := strings.TrimSpace(req.GetFilter()); f != "" {
		m := stateFilterRE.FindStringSubmatch(f)
		v, ok := cloudtaskspb.Queue_State_value[safeIndex(m, 1)]
		if m == nil || !ok {
			return nil, invalid("unsupported filter %q: the emulator supports only \"state: RUNNING|PAUSED|DISABLED\"", f)
		}
		want = cloudtaskspb.Queue_State(v)
	}
	after, size, err := pageArgs(req.GetPageToken(), req.GetPageSize(), 9800)
	if err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	var names []string
	for name, q := range s.queues {
		if strings.HasPrefix(name, req.GetParent()+"/queues/") && name > after &&
			(want == cloudtaskspb.Queue_STATE_UNSPECIFIED || q.pb.GetState() == want) {
			names = append(names, name)
		}
	}
	sort.Strings(names)
	resp := &cloudtaskspb.ListQueuesResponse{}
	for i, name := range names {
		if i == size {
			resp.NextPageToken = pageToken(names[i-1])
			break
		}
		resp.Queues = append(resp.Queues, proto.Clone(s.queues[name].pb).(*cloudtaskspb.Queue))
	}
	return resp, nil
}

func safeIndex(m []string, i int) string {
	if i < len(m) {
		return m[i]
	}
	return ""
}

// pageArgs decodes a page token (the last name of the previous page) and clamps the size.
func pageArgs(token string, size, maxSize int32) (string, int, error) {
	if size < 0 {
		return "", 0, invalid("page_size %d must be >= 0", size)
	}
	if size == 0 || size > maxSize {
		size = maxSize
	}
	if token == "" {
		return "", int(size), nil
	}
	b, err := base64.RawURLEncoding.DecodeString(token)
	if err != nil {
		return "", 0, invalid("invalid page_token")
	}
	return string(b), int(size), nil
}

func pageToken(last string) string { return base64.RawURLEncoding.EncodeToString([]byte(last)) }

// UpdateQueue changes a queue (creating it if absent). New rates apply to the running
// scheduler immediately. Only update_mask paths are changed; an empty mask replaces all
// mutable fields.
func (s *Server) UpdateQueue(_ context.Context, req *cloudtaskspb.UpdateQueueRequest) (*cloudtaskspb.Queue, error) {
	in := req.GetQueue()
	if _, _, err := splitQueueName(in.GetName()); err != nil {
		return nil, invalid("%v", err)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return nil, status.Error(codes.Unavailable, errClosed.Error())
	}
	q, ok := s.queues[in.GetName()]
	if !ok {
		pb, err := buildQueue(in)
		if err != nil {
			return nil, err
		}
		s.addQueueLocked(pb)
		return proto.Clone(pb).(*cloudtaskspb.Queue), nil
	}
	merged, err := mergeQueue(q.pb, in, req.GetUpdateMask().GetPaths())
	if err != nil {
		return nil, err
	}
	pb, err := buildQueue(merged)
	if err != nil {
		return nil, err
	}
	pb.State, pb.PurgeTime = q.pb.State, q.pb.PurgeTime
	q.pb = pb
	q.bucket.reconfigure(pb.RateLimits.MaxDispatchesPerSecond, pb.RateLimits.MaxBurstSize, time.Now())
	s.dirty = true
	q.wake()
	return proto.Clone(pb).(*cloudtaskspb.Queue), nil
}

// PauseQueue stops dispatching; tasks can still be added.
func (s *Server) PauseQueue(_ context.Context, req *cloudtaskspb.PauseQueueRequest) (*cloudtaskspb.Queue, error) {
	return s.setState(req.GetName(), cloudtaskspb.Queue_PAUSED)
}

// ResumeQueue restarts dispatching.
func (s *Server) ResumeQueue(_ context.Context, req *cloudtaskspb.ResumeQueueRequest) (*cloudtaskspb.Queue, error) {
	return s.setState(req.GetName(), cloudtaskspb.Queue_RUNNING)
}

func (s *Server) setState(name string, st cloudtaskspb.Queue_State) (*cloudtaskspb.Queue, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	q, err := s.queueLocked(name)
	if err != nil {
		return nil, err
	}
	q.pb.State = st
	s.dirty = true
	q.wake()
	return proto.Clone(q.pb).(*cloudtaskspb.Queue), nil
}

// PurgeQueue deletes every task of the queue at once (GCP may take up to a minute).
func (s *Server) PurgeQueue(_ context.Context, req *cloudtaskspb.PurgeQueueRequest) (*cloudtaskspb.Queue, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	q, err := s.queueLocked(req.GetName())
	if err != nil {
		return nil, err
	}
	now := time.Now()
	for _, t := range q.tasks {
		q.remove(t, s.tombstoneTTL, now)
	}
	q.pb.PurgeTime = timestamppb.New(now)
	s.dirty = true
	return proto.Clone(q.pb).(*cloudtaskspb.Queue), nil
}

// DeleteQueue deletes a queue and its tasks; in-flight attempts finish unobserved.
func (s *Server) DeleteQueue(_ context.Context, req *cloudtaskspb.DeleteQueueRequest) (*emptypb.Empty, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	q, err := s.queueLocked(req.GetName())
	if err != nil {
		return nil, err
	}
	q.deleted = true
	close(q.stop)
	delete(s.queues, req.GetName())
	s.dirty = true
	return &emptypb.Empty{}, nil
}
