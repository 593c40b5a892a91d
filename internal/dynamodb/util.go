package dynamodb

import (
	"bytes"
	"encoding/json"
	"strconv"

	"github.com/nimbus-dev/nimbus/internal/dynamodb/attr"
)

func itoa(n int) string { return strconv.Itoa(n) }

// appendField writes `,"name":<json of v>` when present is true.
func appendField(buf *bytes.Buffer, name string, v any, present bool) error {
	if !present {
		return nil
	}
	b, err := json.Marshal(v)
	if err != nil {
		return err
	}
	if buf.Len() > 1 {
		buf.WriteByte(',')
	}
	buf.WriteString(`"` + name + `":`)
	buf.Write(b)
	return nil
}

// appendItemField writes `,"name":<item>` when the item is non-nil.
func appendItemField(buf *bytes.Buffer, name string, it attr.Item) {
	if it == nil {
		return
	}
	if buf.Len() > 1 {
		buf.WriteByte(',')
	}
	buf.WriteString(`"` + name + `":`)
	it.AppendJSON(buf)
}

func (o *getItemOutput) appendJSON(buf *bytes.Buffer) error {
	buf.WriteByte('{')
	appendItemField(buf, "Item", o.Item)
	if err := appendField(buf, "ConsumedCapacity", o.ConsumedCapacity, o.ConsumedCapacity != nil); err != nil {
		return err
	}
	buf.WriteByte('}')
	return nil
}

func (o *writeItemOutput) appendJSON(buf *bytes.Buffer) error {
	buf.WriteByte('{')
	if len(o.Attributes) > 0 {
		appendItemField(buf, "Attributes", o.Attributes)
	}
	if err := appendField(buf, "ConsumedCapacity", o.ConsumedCapacity, o.ConsumedCapacity != nil); err != nil {
		return err
	}
	if err := appendField(buf, "ItemCollectionMetrics", o.ItemCollectionMetrics, o.ItemCollectionMetrics != nil); err != nil {
		return err
	}
	buf.WriteByte('}')
	return nil
}
