// Package api serves the Azure Media Services v3-compatible management API:
// ARM resource paths under
// /subscriptions/{s}/resourceGroups/{rg}/providers/Microsoft.Media/mediaServices/{account},
// with AMS JSON shapes, status codes, paging and error bodies, so that code
// written against the AMS SDKs works unchanged.
//
// One file per resource family (api_<resource>.go); routing in router.go;
// errors are mapped to ARM error bodies in one place (errors.go).
package api
