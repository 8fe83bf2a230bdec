package cloudtasks

import (
	"context"
	"net/url"
	"sort"
	"strings"
	"time"

	"cloud.google.com/go/cloudtasks/apiv2/cloudtaskspb"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/durationpb"
	"google.golang.org/protobuf/types/known/emptypb"
	"google.golang.org/protobuf/types/known/timestamppb"
)

// CreateTask validates and enqueues an HTTP task. A caller-chosen name that matches a live
// task or a tombstone (deleted/finished within TombstoneTTL) fails with ALREADY_EXISTS.
func (s *Server) CreateTask(_ context.Context, req *cloudtaskspb.CreateTaskRequest) (*cloudtaskspb.Task, error) {
	now := time.Now()
	pb, err := s.buildTask(req.GetParent(), req.GetTask(), now)
	if err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	q, err := s.queueLocked(req.GetParent())
	if err != nil {
		return nil, err
	}
	if pb.Name == "" {
		for pb.Name == "" || q.taken(pb.Name, now) {
			pb.Name = req.GetParent() + "/tasks/" + newTaskID()
		}
	} else if q.taken(pb.Name, now) {
		return nil, status.Errorf(codes.AlreadyExists, "Requested entity already exists: %s", pb.Name)
	}
	t := &task{pb: pb, due: pb.ScheduleTime.AsTime(), index: -1}
	q.tasks[pb.Name] = t
	q.push(t)
	s.dirty = true
	q.wake()
	return t.view(req.GetResponseView()), nil
}

// buildTask validates a caller-supplied task and returns the stored copy with output fields
// set (create time, schedule time, dispatch deadline, method).
func (s *Server) buildTask(parent string, in *cloudtaskspb.Task, now time.Time) (*cloudtaskspb.Task, error) {
	if _, _, err := splitQueueName(parent); err != nil {
		return nil, invalid("%v", err)
	}
	if in == nil {
		return nil, invalid("task is required")
	}
	if in.GetAppEngineHttpRequest() != nil {
		return nil, status.Error(codes.Unimplemented, "App Engine tasks are not supported by the emulator; use http_request")
	}
	if in.GetHttpRequest() == nil {
		return nil, invalid("task.http_request is required")
	}
	if size := proto.Size(in); size > maxTaskSize {
		return nil, invalid("task size %d bytes exceeds the %d-byte limit", size, maxTaskSize)
	}
	if in.GetName() != "" {
		q, _, err := splitTaskName(in.GetName())
		if err != nil {
			return nil, invalid("%v", err)
		}
		if q != parent {
			return nil, invalid("task %s is not in queue %s", in.GetName(), parent)
		}
	}
	hr, err := checkHTTPRequest(in.GetHttpRequest())
	if err != nil {
		return nil, err
	}
	deadline, err := s.checkDeadline(in.GetDispatchDeadline())
	if err != nil {
		return nil, err
	}
	if err := validateRetryConfig(in.GetRetryConfig()); err != nil {
		return nil, invalid("%v", err)
	}
	sched := now
	if st := in.GetScheduleTime(); st != nil {
		if err := st.CheckValid(); err != nil {
			return nil, invalid("schedule_time: %v", err)
		}
		if t := st.AsTime(); t.After(now) {
			sched = t
		}
	}
	if sched.Sub(now) > maxScheduleAhead {
		return nil, invalid("schedule_time %s is more than 30 days ahead", sched.Format(time.RFC3339))
	}
	out := &cloudtaskspb.Task{
		Name: in.GetName(), MessageType: &cloudtaskspb.Task_HttpRequest{HttpRequest: hr},
		ScheduleTime: timestamppb.New(sched), CreateTime: timestamppb.New(now.Truncate(time.Second)),
		DispatchDeadline: durationpb.New(deadline),
	}
	if in.GetRetryConfig() != nil {
		out.RetryConfig = proto.Clone(in.GetRetryConfig()).(*cloudtaskspb.RetryConfig)
	}
	return out, nil
}

// checkHTTPRequest validates the target and returns a copy with the default method (POST).
func checkHTTPRequest(in *cloudtaskspb.HttpRequest) (*cloudtaskspb.HttpRequest, error) {
	hr := proto.Clone(in).(*cloudtaskspb.HttpRequest)
	u, err := url.Parse(hr.GetUrl())
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, invalid("http_request.url %q must be an absolute http:// or https:// URL", hr.GetUrl())
	}
	if len(hr.GetUrl()) > maxURLLength {
		return nil, invalid("http_request.url is longer than %d characters", maxURLLength)
	}
	if hr.HttpMethod == cloudtaskspb.HttpMethod_HTTP_METHOD_UNSPECIFIED {
		hr.HttpMethod = cloudtaskspb.HttpMethod_POST
	}
	if _, ok := cloudtaskspb.HttpMethod_name[int32(hr.HttpMethod)]; !ok {
		return nil, invalid("http_request.http_method %d is unknown", hr.HttpMethod)
	}
	switch hr.HttpMethod {
	case cloudtaskspb.HttpMethod_POST, cloudtaskspb.HttpMethod_PUT, cloudtaskspb.HttpMethod_PATCH:
	default:
		if len(hr.GetBody()) > 0 {
			return nil, invalid("http_request.body is allowed only with POST, PUT or PATCH, not %s", hr.HttpMethod)
		}
	}
	size := 0
	for k, v := range hr.GetHeaders() {
		size += len(k) + len(v)
		if strings.ContainsAny(k+v, "\r\n") {
			return nil, invalid("http_request.headers: header %q contains a line break", k)
		}
	}
	if size >= maxHeaderBytes {
		return nil, invalid("http_request.headers total %d bytes, must be under 80KB", size)
	}
	if o := hr.GetOauthToken(); o != nil {
		return nil, status.Error(codes.Unimplemented, "oauth_token is not supported by the emulator; use oidc_token")
	}
	return hr, nil
}

// checkDeadline applies the HTTP-task dispatch deadline rules: default 10 min, [15s, 30min].
func (s *Server) checkDeadline(d *durationpb.Duration) (time.Duration, error) {
	if d == nil || d.AsDuration() == 0 {
		return defaultDeadline, nil
	}
	if err := d.CheckValid(); err != nil {
		return 0, invalid("dispatch_deadline: %v", err)
	}
	v := d.AsDuration().Truncate(time.Millisecond)
	if v < s.minDeadline || v > maxDeadline {
		return 0, invalid("dispatch_deadline %v must be in [%v, %v]", v, s.minDeadline, maxDeadline)
	}
	return v, nil
}

// taskLocked finds a live task. Caller holds s.mu.
func (s *Server) taskLocked(name string) (*queue, *task, error) {
	qname, _, err := splitTaskName(name)
	if err != nil {
		return nil, nil, invalid("%v", err)
	}
	q, err := s.queueLocked(qname)
	if err != nil {
		return nil, nil, err
	}
	t, ok := q.tasks[name]
	if !ok {
		return nil, nil, notFound(name)
	}
	return q, t, nil
}

// GetTask returns a live task (finished and deleted tasks are NOT_FOUND).
func (s *Server) GetTask(_ context.Context, req *cloudtaskspb.GetTaskRequest) (*cloudtaskspb.Task, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	_, t, err := s.taskLocked(req.GetName())
	if err != nil {
		return nil, err
	}
	return t.view(req.GetResponseView()), nil
}

// ListTasks lists a queue's live tasks, ordered by name (GCP promises no order).
func (s *Server) ListTasks(_ context.Context, req *cloudtaskspb.ListTasksRequest) (*cloudtaskspb.ListTasksResponse, error) {
	after, size, err := pageArgs(req.GetPageToken(), req.GetPageSize(), 1000)
	if err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	q, err := s.queueLocked(req.GetParent())
	if err != nil {
		return nil, err
	}
	names := make([]string, 0, len(q.tasks))
	for name := range q.tasks {
		if name > after {
			names = append(names, name)
		}
	}
	sort.Strings(names)
	resp := &cloudtaskspb.ListTasksResponse{}
	for i, name := range names {
		if i == size {
			resp.NextPageToken = pageToken(names[i-1])
			break
		}
		resp.Tasks = append(resp.Tasks, q.tasks[name].view(req.GetResponseView()))
	}
	return resp, nil
}

// DeleteTask deletes a scheduled or dispatched task and tombstones its name.
func (s *Server) DeleteTask(_ context.Context, req *cloudtaskspb.DeleteTaskRequest) (*emptypb.Empty, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	q, t, err := s.taskLocked(req.GetName())
	if err != nil {
		return nil, err
	}
	q.remove(t, s.tombstoneTTL, time.Now())
	s.dirty = true
	return &emptypb.Empty{}, nil
}

// RunTask dispatches a task now, ignoring pause, rate limits and concurrency, and returns it
// as dispatched (before the response arrives).
func (s *Server) RunTask(_ context.Context, req *cloudtaskspb.RunTaskRequest) (*cloudtaskspb.Task, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	q, t, err := s.taskLocked(req.GetName())
	if err != nil {
		return nil, err
	}
	now := time.Now()
	q.unqueue(t)
	t.due = now
	t.pb.ScheduleTime = timestamppb.New(now)
	s.launch(q, t, now)
	return t.view(req.GetResponseView()), nil
}
