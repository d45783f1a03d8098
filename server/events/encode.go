package events

import (
	"strconv"
	"time"

	"github.com/valet-sandbox/valet/internal/jsonstr"
)

// appendJSON appends json.Marshal(e) without reflection: the same bytes (keys of Request and Response
// sorted, strings escaped the same way; encode_test.go holds it to that). The writer encodes every event
// of every flow, and encoding/json would walk the maps through reflect for each. Values of types other
// than the ones protocol events carry go through encoding/json.
func (e *Event) appendJSON(b []byte) ([]byte, error) {
	b = append(b, `{"id":`...)
	b = strconv.AppendInt(b, e.ID, 10)
	b = append(b, `,"at":"`...)
	b = e.At.AppendFormat(b, time.RFC3339Nano)
	b = append(b, `","kind":`...)
	b = appendString(b, e.Kind)
	var err error
	for _, f := range [...]struct{ key, val string }{{`,"launch_id":`, e.LaunchID}, {`,"flow_id":`, e.FlowID}, {`,"client_id":`, e.ClientID}} {
		if f.val != "" {
			b = appendString(append(b, f.key...), f.val)
		}
	}
	if len(e.Request) > 0 {
		if b, err = jsonstr.AppendMap(append(b, `,"request":`...), e.Request); err != nil {
			return nil, err
		}
	}
	if e.Decision != "" {
		b = appendString(append(b, `,"decision":`...), e.Decision)
	}
	if len(e.Response) > 0 {
		if b, err = jsonstr.AppendMap(append(b, `,"response":`...), e.Response); err != nil {
			return nil, err
		}
	}
	if m := e.Simulated; m != nil {
		b = appendString(append(b, `,"simulated":{"id":`...), m.ID)
		b = append(appendString(append(b, `,"kind":`...), m.Kind), '}')
	}
	return append(b, '}'), nil
}

// appendString is encoding/json's string encoding with HTML escaping, its default.
func appendString(b []byte, s string) []byte { return jsonstr.Append(b, s, true) }
