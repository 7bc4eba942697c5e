package otelscim_test

import (
	"context"
	"testing"
	"time"

	"github.com/scimkit/scimkit/otelscim"
	"github.com/scimkit/scimkit/store"
	"github.com/scimkit/scimkit/store/memory"
)

// plainStore has only the five methods of store.Store.
type plainStore struct{ store.Store }

type healthy struct{ store.Store }

func (healthy) CheckHealth(context.Context) error { return nil }

type feedStore struct{ store.Store }

func (feedStore) Claim(context.Context, string, int, time.Duration) (*store.Batch, error) {
	return &store.Batch{}, nil
}
func (feedStore) Ack(context.Context, *store.Batch) error { return nil }
func (feedStore) Wait(context.Context) error              { return nil }

// allStore: the memory store (a MemberPatcher, a Feed, paging by
// cursor) with a health check.
type allStore struct{ *memory.Store }

func (allStore) CheckHealth(context.Context) error { return nil }

// TestStoreCapabilities: the wrapper has exactly the optional
// capabilities of the Store it wraps, for the Handler checks them.
func TestStoreCapabilities(t *testing.T) {
	tel, err := otelscim.New(otelscim.Config{})
	if err != nil {
		t.Fatal(err)
	}
	mem := memory.New()
	tests := []struct {
		name                         string
		s                            store.Store
		members, feed, health, pages bool
	}{
		{"plain", plainStore{mem}, false, false, false, false},
		{"memory", mem, true, true, false, true}, // a store.Feed (ErrNoFeed unless turned on)
		{"health", healthy{plainStore{mem}}, false, false, true, false},
		{"feed", feedStore{plainStore{mem}}, false, true, false, false},
		{"all", allStore{mem}, true, true, true, true},
	}
	for _, tt := range tests {
		w := tel.Store(tt.s)
		_, members := w.(store.MemberPatcher)
		_, feed := w.(store.Feed)
		_, health := w.(interface{ CheckHealth(context.Context) error })
		pages := store.PagesByCursor(w)
		if members != tt.members || feed != tt.feed || health != tt.health || pages != tt.pages {
			t.Errorf("%s: wrapper MemberPatcher %t, Feed %t, CheckHealth %t, PagesByCursor %t; want %t, %t, %t, %t",
				tt.name, members, feed, health, pages, tt.members, tt.feed, tt.health, tt.pages)
		}
	}
}
