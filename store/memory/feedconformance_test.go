package memory_test

import (
	"testing"

	"github.com/scimkit/scimkit/store/memory"
	"github.com/scimkit/scimkit/store/storetest"
)

func TestFeedConformance(t *testing.T) {
	storetest.RunFeed(t, func(t *testing.T, clock *storetest.Clock) storetest.FeedStore {
		return memory.NewWithConfig(memory.Config{Clock: clock.Now, FeedEvents: 10_000, FeedValues: true})
	})
}
