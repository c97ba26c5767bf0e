package events

import (
	"encoding/json"
	"fmt"
	"net/http"

	"github.com/lockstream/lockstream/internal/store"
)

// addAttributes sets the subscription's delivery attribute headers:
// Static values (secret ones from the sealed part) and Dynamic values
// read from the first event of the batch (Event Grid allows dynamic
// mappings only where each delivery has one event, or they come from
// the first).
func (e *Engine) addAttributes(s *subscription, b []store.Delivery, h http.Header) error {
	maps := s.props.Destination.Properties.DeliveryAttributeMappings
	if len(maps) == 0 {
		return nil
	}
	var ev map[string]any
	for _, m := range maps {
		if m.Properties == nil {
			continue
		}
		switch m.Type {
		case "Static":
			v := m.Properties.Value
			if m.Properties.IsSecret {
				v = s.secret.Headers[m.Name]
			}
			h.Set(m.Name, v)
		case "Dynamic":
			if ev == nil {
				if err := json.Unmarshal(b[0].Body, &ev); err != nil {
					return fmt.Errorf("decode event for delivery attributes: %w", err)
				}
			}
			if v, ok := lookup(ev, m.Properties.SourceField); ok && v != nil {
				switch x := v.(type) {
				case string:
					h.Set(m.Name, x)
				default:
					j, _ := json.Marshal(x)
					h.Set(m.Name, string(j))
				}
			}
		}
	}
	return nil
}
