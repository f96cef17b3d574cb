"""VOC mAP@IoU with the per-class AP kept in the returned metrics."""
from typing import List

from mmdet.evaluation import VOCMetric
from mmdet.evaluation.functional import eval_map
from mmdet.registry import METRICS


@METRICS.register_module()
class ClassAPVOCMetric(VOCMetric):
    """``VOCMetric`` that also returns ``AP50_<class>`` for every class.

    mmdet's ``VOCMetric`` prints the per-class table but returns only the
    mean; active learning reports need the rare classes' AP, so the class
    APs are recomputed with the same ``eval_map`` settings at the first IoU
    threshold (cheap next to inference: it works on the collected boxes).
    """

    def compute_metrics(self, results: List) -> dict:
        eval_results = super().compute_metrics(results)
        if self.metric != 'mAP':
            return eval_results
        gts, preds = zip(*results)
        iou_thr = self.iou_thrs[0]
        _, per_class = eval_map(
            preds,
            gts,
            scale_ranges=self.scale_ranges,
            iou_thr=iou_thr,
            dataset=self.dataset_meta['classes'],
            logger='silent',
            eval_mode=self.eval_mode,
            use_legacy_coordinate=True)
        for name, result in zip(self.dataset_meta['classes'], per_class):
            eval_results[f'AP{int(iou_thr * 100):02d}_{name}'] = round(
                float(result['ap']), 4)
        return eval_results
