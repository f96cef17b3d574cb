"""Labeling tools (``--human``): the model's boxes on the images to label
(:mod:`.predictions`), Label Studio's and CVAT's formats as plain dicts
(:mod:`.label_studio`, :mod:`.cvat_coco`), a cycle's export
(:mod:`.cycle_export`), the recognition of a tool's export
(:mod:`.exported_labels`) and Label Studio's REST API
(:mod:`.label_studio_api`). Guide: docs/labeling_tools.md."""
