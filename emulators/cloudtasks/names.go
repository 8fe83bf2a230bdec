package cloudtasks

import (
	"crypto/rand"
	"encoding/binary"
	"fmt"
	"regexp"
	"strings"
)

var (
	projectRE  = regexp.MustCompile(`^[A-Za-z0-9.:-]+$`)
	locationRE = regexp.MustCompile(`^[A-Za-z0-9-]+$`)
	queueIDRE  = regexp.MustCompile(`^[A-Za-z0-9-]{1,100}$`)
	taskIDRE   = regexp.MustCompile(`^[A-Za-z0-9_-]{1,500}$`)
)

// parseLocation checks `projects/P/locations/L`.
func parseLocation(name string) error {
	p := strings.Split(name, "/")
	if len(p) != 4 || p[0] != "projects" || p[2] != "locations" ||
		!projectRE.MatchString(p[1]) || !locationRE.MatchString(p[3]) {
		return fmt.Errorf("invalid location name %q: want projects/PROJECT_ID/locations/LOCATION_ID", name)
	}
	return nil
}

// splitQueueName checks `projects/P/locations/L/queues/Q` and returns the location and queue id.
func splitQueueName(name string) (location, id string, err error) {
	i := strings.LastIndex(name, "/queues/")
	if i < 0 {
		return "", "", fmt.Errorf("invalid queue name %q: want projects/PROJECT_ID/locations/LOCATION_ID/queues/QUEUE_ID", name)
	}
	location, id = name[:i], name[i+len("/queues/"):]
	if err := parseLocation(location); err != nil {
		return "", "", fmt.Errorf("invalid queue name %q: %w", name, err)
	}
	if !queueIDRE.MatchString(id) {
		return "", "", fmt.Errorf("invalid queue id %q: letters, digits and hyphens, at most 100", id)
	}
	return location, id, nil
}

// splitTaskName checks `<queue>/tasks/T` and returns the queue name and the task id.
func splitTaskName(name string) (queue, id string, err error) {
	i := strings.LastIndex(name, "/tasks/")
	if i < 0 {
		return "", "", fmt.Errorf("invalid task name %q: want <queue name>/tasks/TASK_ID", name)
	}
	queue, id = name[:i], name[i+len("/tasks/"):]
	if _, _, err := splitQueueName(queue); err != nil {
		return "", "", fmt.Errorf("invalid task name %q: %w", name, err)
	}
	if !taskIDRE.MatchString(id) {
		return "", "", fmt.Errorf("invalid task id %q: letters, digits, '-' and '_', at most 500", id)
	}
	return queue, id, nil
}

// shortName is the last path segment of a resource name (the id the headers carry).
func shortName(name string) string { return name[strings.LastIndex(name, "/")+1:] }

// newTaskID returns a random 19-digit decimal id, the shape of Cloud Tasks' generated ids.
func newTaskID() string {
	var b [8]byte
	_, _ = rand.Read(b[:]) // documented never to fail since Go 1.24
	return fmt.Sprintf("%019d", binary.BigEndian.Uint64(b[:])%1e19)
}
