package dash

import "encoding/xml"

// The MPD model holds the subset of ISO/IEC 23009-1 this package writes.
// dash-mpd (github.com/Eyevinn/dash-mpd/mpd) cannot be linked without a
// go.mod change (its mpd package needs github.com/barkimedes/go-deepcopy),
// so the elements are modelled here with encoding/xml.

type mpdXML struct {
	XMLName                   xml.Name `xml:"urn:mpeg:dash:schema:mpd:2011 MPD"`
	XMLNSCenc                 string   `xml:"xmlns:cenc,attr,omitempty"`
	XMLNSMspr                 string   `xml:"xmlns:mspr,attr,omitempty"`
	Profiles                  string   `xml:"profiles,attr"`
	Type                      string   `xml:"type,attr"`
	MediaPresentationDuration string   `xml:"mediaPresentationDuration,attr"`
	MaxSegmentDuration        string   `xml:"maxSegmentDuration,attr,omitempty"`
	MinBufferTime             string   `xml:"minBufferTime,attr"`
	Period                    periodXML
}

type periodXML struct {
	ID             string              `xml:"id,attr"`
	Start          string              `xml:"start,attr"`
	AdaptationSets []*adaptationSetXML `xml:"AdaptationSet"`
}

type adaptationSetXML struct {
	ID                int                  `xml:"id,attr"`
	ContentType       string               `xml:"contentType,attr"`
	MimeType          string               `xml:"mimeType,attr"`
	Lang              string               `xml:"lang,attr,omitempty"`
	SegmentAlignment  bool                 `xml:"segmentAlignment,attr"`
	StartWithSAP      int                  `xml:"startWithSAP,attr"`
	MaxWidth          int                  `xml:"maxWidth,attr,omitempty"`
	MaxHeight         int                  `xml:"maxHeight,attr,omitempty"`
	MaxFrameRate      string               `xml:"maxFrameRate,attr,omitempty"`
	ContentProtection []ContentProtection  `xml:"ContentProtection"`
	Role              *descriptorXML       `xml:"Role"`
	SegmentTemplate   *segmentTemplateXML  `xml:"SegmentTemplate"`
	Representations   []*representationXML `xml:"Representation"`
}

type descriptorXML struct {
	SchemeIDURI string `xml:"schemeIdUri,attr"`
	Value       string `xml:"value,attr"`
}

type representationXML struct {
	ID                        string              `xml:"id,attr"`
	Bandwidth                 uint64              `xml:"bandwidth,attr"`
	Codecs                    string              `xml:"codecs,attr"`
	Width                     int                 `xml:"width,attr,omitempty"`
	Height                    int                 `xml:"height,attr,omitempty"`
	FrameRate                 string              `xml:"frameRate,attr,omitempty"`
	AudioSamplingRate         int                 `xml:"audioSamplingRate,attr,omitempty"`
	AudioChannelConfiguration *descriptorXML      `xml:"AudioChannelConfiguration"`
	SegmentTemplate           *segmentTemplateXML `xml:"SegmentTemplate"`
}

type segmentTemplateXML struct {
	Timescale              uint32 `xml:"timescale,attr"`
	PresentationTimeOffset uint64 `xml:"presentationTimeOffset,attr"`
	Initialization         string `xml:"initialization,attr"`
	Media                  string `xml:"media,attr"`
	Timeline               []sXML `xml:"SegmentTimeline>S"`
}

// sXML is one S element: t is set on the first entry and after gaps; r
// counts the repeats after the first (DASH semantics).
type sXML struct {
	T *uint64 `xml:"t,attr"`
	D uint64  `xml:"d,attr"`
	R int     `xml:"r,attr,omitempty"`
}

// ContentProtection is one ContentProtection descriptor of an
// AdaptationSet. The MPD declares the cenc and mspr namespaces whenever
// one is present.
type ContentProtection struct {
	SchemeIDURI string `xml:"schemeIdUri,attr"`
	Value       string `xml:"value,attr,omitempty"`
	// DefaultKID is written as cenc:default_KID (UUID form).
	DefaultKID string `xml:"cenc:default_KID,attr,omitempty"`
	// Pssh is a base64 pssh box, written as cenc:pssh.
	Pssh string `xml:"cenc:pssh,omitempty"`
	// Pro is a base64 PlayReady Object, written as mspr:pro.
	Pro string `xml:"mspr:pro,omitempty"`
	// Inner is raw XML appended inside the element (e.g. a license URL
	// element with its own namespace declaration).
	Inner string `xml:",innerxml"`
}
