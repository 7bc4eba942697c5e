package otelscim

import (
	"context"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/metric"

	"github.com/scimkit/scimkit/scim"
)

// BeforeWrite implements scim.Hooks: it refuses nothing.
func (t *Telemetry) BeforeWrite(context.Context, *scim.Change) error { return nil }

// AfterWrite implements scim.Hooks: it counts the committed change's
// events in the scim.events counter, by kind (scim.event_kind) and
// resource type. Set the Handler's Config.Hooks to the Telemetry (or call
// AfterWrite from your own Hooks) to record them.
func (t *Telemetry) AfterWrite(ctx context.Context, c *scim.Change) {
	for _, e := range c.Events {
		t.events.Add(ctx, 1, metric.WithAttributeSet(attribute.NewSet(
			AttrEventKind.String(string(e.Kind)),
			AttrResourceType.String(e.Type),
		)))
	}
}

var _ scim.Hooks = (*Telemetry)(nil)
