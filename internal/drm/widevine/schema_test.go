package widevine_test

import (
	"testing"

	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protodesc"
	"google.golang.org/protobuf/reflect/protoreflect"
	"google.golang.org/protobuf/types/descriptorpb"
)

// psshDataDescriptor builds the proto2 WidevinePsshData schema (field
// numbers and types of the public definition) at run time, so the tests can
// check the hand-written encoding against a real protobuf implementation
// without generated code in the tree.
func psshDataDescriptor(t testing.TB) protoreflect.MessageDescriptor {
	t.Helper()
	opt := descriptorpb.FieldDescriptorProto_LABEL_OPTIONAL.Enum()
	rep := descriptorpb.FieldDescriptorProto_LABEL_REPEATED.Enum()
	field := func(name string, num int32, label *descriptorpb.FieldDescriptorProto_Label,
		typ descriptorpb.FieldDescriptorProto_Type) *descriptorpb.FieldDescriptorProto {
		f := &descriptorpb.FieldDescriptorProto{
			Name:   proto.String(name),
			Number: proto.Int32(num),
			Label:  label,
			Type:   typ.Enum(),
		}
		if typ == descriptorpb.FieldDescriptorProto_TYPE_ENUM {
			f.TypeName = proto.String(".lockstream.test.WidevinePsshData.Algorithm")
		}
		return f
	}
	fdp := &descriptorpb.FileDescriptorProto{
		Name:    proto.String("widevine_pssh_data_test.proto"),
		Package: proto.String("lockstream.test"),
		Syntax:  proto.String("proto2"),
		MessageType: []*descriptorpb.DescriptorProto{{
			Name: proto.String("WidevinePsshData"),
			EnumType: []*descriptorpb.EnumDescriptorProto{{
				Name: proto.String("Algorithm"),
				Value: []*descriptorpb.EnumValueDescriptorProto{
					{Name: proto.String("UNENCRYPTED"), Number: proto.Int32(0)},
					{Name: proto.String("AESCTR"), Number: proto.Int32(1)},
				},
			}},
			Field: []*descriptorpb.FieldDescriptorProto{
				field("algorithm", 1, opt, descriptorpb.FieldDescriptorProto_TYPE_ENUM),
				field("key_id", 2, rep, descriptorpb.FieldDescriptorProto_TYPE_BYTES),
				field("provider", 3, opt, descriptorpb.FieldDescriptorProto_TYPE_STRING),
				field("content_id", 4, opt, descriptorpb.FieldDescriptorProto_TYPE_BYTES),
				field("track_type", 5, opt, descriptorpb.FieldDescriptorProto_TYPE_STRING),
				field("policy", 6, opt, descriptorpb.FieldDescriptorProto_TYPE_STRING),
				field("crypto_period_index", 7, opt, descriptorpb.FieldDescriptorProto_TYPE_UINT32),
				field("grouped_license", 8, opt, descriptorpb.FieldDescriptorProto_TYPE_BYTES),
				field("protection_scheme", 9, opt, descriptorpb.FieldDescriptorProto_TYPE_UINT32),
				field("crypto_period_seconds", 10, opt, descriptorpb.FieldDescriptorProto_TYPE_UINT32),
			},
		}},
	}
	fd, err := protodesc.NewFile(fdp, nil)
	if err != nil {
		t.Fatalf("build descriptor: %v", err)
	}
	return fd.Messages().ByName("WidevinePsshData")
}
