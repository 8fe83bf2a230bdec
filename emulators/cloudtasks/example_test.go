package cloudtasks_test

import (
	"context"
	"fmt"
	"log"

	tasksapi "cloud.google.com/go/cloudtasks/apiv2"
	"cloud.google.com/go/cloudtasks/apiv2/cloudtaskspb"
	emu "github.com/hoadon/hoadon/emulators/cloudtasks"
	"google.golang.org/api/option"
	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"
)

// Start the emulator, point the official client at it and create a paused queue.
func Example() {
	srv, err := emu.Start(emu.Options{})
	if err != nil {
		log.Fatal(err)
	}
	defer srv.Close()
	ctx := context.Background()
	client, err := tasksapi.NewClient(ctx, option.WithEndpoint(srv.Addr()), option.WithoutAuthentication(),
		option.WithGRPCDialOption(grpc.WithTransportCredentials(insecure.NewCredentials())))
	if err != nil {
		log.Fatal(err)
	}
	defer client.Close()
	q, err := client.CreateQueue(ctx, &cloudtaskspb.CreateQueueRequest{
		Parent: "projects/p/locations/l",
		Queue: &cloudtaskspb.Queue{Name: "projects/p/locations/l/queues/dl-0100109106",
			RateLimits: &cloudtaskspb.RateLimits{MaxDispatchesPerSecond: 5, MaxConcurrentDispatches: 2}},
	})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(q.GetState(), q.GetRateLimits().GetMaxBurstSize(), q.GetRetryConfig().GetMaxAttempts())
	// Output: RUNNING 5 100
}
