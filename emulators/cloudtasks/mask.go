package cloudtasks

import (
	"strings"
	"unicode"

	"cloud.google.com/go/cloudtasks/apiv2/cloudtaskspb"
	"google.golang.org/protobuf/proto"
)

// mergeQueue applies the update_mask paths of in onto a copy of cur. A cleared field (zero
// value under a mask path) falls back to the service default when the result is normalized.
func mergeQueue(cur, in *cloudtaskspb.Queue, paths []string) (*cloudtaskspb.Queue, error) {
	out := proto.Clone(cur).(*cloudtaskspb.Queue)
	if len(paths) == 0 {
		out.RateLimits, out.RetryConfig = in.GetRateLimits(), in.GetRetryConfig()
		out.StackdriverLoggingConfig = in.GetStackdriverLoggingConfig()
		out.HttpTarget, out.AppEngineRoutingOverride = in.GetHttpTarget(), in.GetAppEngineRoutingOverride()
		return out, nil
	}
	if out.RateLimits == nil {
		out.RateLimits = &cloudtaskspb.RateLimits{}
	}
	if out.RetryConfig == nil {
		out.RetryConfig = &cloudtaskspb.RetryConfig{}
	}
	for _, raw := range paths {
		if err := applyPath(out, in, snake(raw)); err != nil {
			return nil, err
		}
	}
	return out, nil
}

func applyPath(out, in *cloudtaskspb.Queue, path string) error {
	rl, rc := in.GetRateLimits(), in.GetRetryConfig()
	switch path {
	case "rate_limits":
		out.RateLimits = rl
	case "rate_limits.max_dispatches_per_second":
		out.RateLimits.MaxDispatchesPerSecond = rl.GetMaxDispatchesPerSecond()
	case "rate_limits.max_concurrent_dispatches":
		out.RateLimits.MaxConcurrentDispatches = rl.GetMaxConcurrentDispatches()
	case "retry_config":
		out.RetryConfig = rc
	case "retry_config.max_attempts":
		out.RetryConfig.MaxAttempts = rc.GetMaxAttempts()
	case "retry_config.max_retry_duration":
		out.RetryConfig.MaxRetryDuration = rc.GetMaxRetryDuration()
	case "retry_config.min_backoff":
		out.RetryConfig.MinBackoff = rc.GetMinBackoff()
	case "retry_config.max_backoff":
		out.RetryConfig.MaxBackoff = rc.GetMaxBackoff()
	case "retry_config.max_doublings":
		out.RetryConfig.MaxDoublings = rc.GetMaxDoublings()
	case "stackdriver_logging_config", "stackdriver_logging_config.sampling_ratio":
		out.StackdriverLoggingConfig = in.GetStackdriverLoggingConfig()
	case "http_target":
		out.HttpTarget = in.GetHttpTarget()
	case "app_engine_routing_override":
		out.AppEngineRoutingOverride = in.GetAppEngineRoutingOverride()
	case "name", "state", "purge_time", "rate_limits.max_burst_size":
		return invalid("update_mask path %q is output-only or immutable", path)
	default:
		return invalid("unknown update_mask path %q", path)
	}
	return nil
}

// snake converts a camelCase mask path (JSON form) to the proto field form.
func snake(p string) string {
	var b strings.Builder
	for _, r := range p {
		if unicode.IsUpper(r) {
			b.WriteByte('_')
			r = unicode.ToLower(r)
		}
		b.WriteRune(r)
	}
	return b.String()
}
