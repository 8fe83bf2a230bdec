// Package faults holds the fault suite (tests only): the whole pipeline on
// loopback — every emulator, the server with every function — under real
// failures: the portal down, a 429 storm, tokens expiring, corrupt ZIPs and
// XML, a task delivered twice at once, Cloud Tasks and the server restarted
// mid-import, and the webhook subscriber down. Every case ends with the
// stored XML equal to the simulator's ground truth and exact counts.
package faults
