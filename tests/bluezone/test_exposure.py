from datetime import datetime, timedelta, timezone

import pytest

from tracing_portal.bluezone.exposure import Bucket, score

T0 = datetime(2020, 8, 14, 8, 0, tzinfo=timezone(timedelta(hours=7)))
BUCKETS = [Bucket("near", -65, 1.0), Bucket("medium", -75, 0.5), Bucket("far", -200, 0.0)]


def at(minutes, rssi):
    return (T0 + timedelta(minutes=minutes), rssi)


def test_one_near_window_counts_its_minutes():
    sightings = [at(m, -60) for m in range(0, 21)]  # every minute for 20 minutes
    result = score(sightings, buckets=BUCKETS)
    assert len(result.windows) == 1
    assert result.raw_minutes == 20
    assert result.weighted_minutes == 20
    assert result.minutes_by_bucket == {"near": 20, "medium": 0, "far": 0}


def test_gap_of_five_minutes_or_more_splits_windows():
    sightings = [at(0, -60), at(4, -60), at(9, -60), at(10, -60)]
    result = score(sightings, buckets=BUCKETS, gap=timedelta(minutes=5))
    # 0->4 joined (gap 4), 4->9 split (gap 5), 9->10 joined
    assert [round(w.minutes) for w in result.windows] == [4, 1]
    assert result.raw_minutes == 5


def test_minutes_are_weighted_by_the_stronger_end_of_each_interval():
    sightings = [at(0, -70), at(2, -70), at(4, -60), at(6, -90), at(8, -90)]
    result = score(sightings, buckets=BUCKETS)
    # 0-2 medium (2), 2-4 near (-60 stronger: 2), 4-6 near (2), 6-8 far (2)
    assert result.minutes_by_bucket == {"near": 4, "medium": 2, "far": 2}
    assert result.weighted_minutes == 4 * 1.0 + 2 * 0.5
    assert result.raw_minutes == 8


def test_lone_sightings_count_no_time_and_order_does_not_matter():
    sightings = [at(30, -55), at(0, -55), at(60, -55)]
    result = score(sightings, buckets=BUCKETS)
    assert len(result.windows) == 3
    assert result.weighted_minutes == 0


@pytest.mark.parametrize("minutes,candidate", [(14.9, False), (15, True)])
def test_threshold(minutes, candidate):
    seconds = int(minutes * 60)
    sightings = [(T0, -60), (T0 + timedelta(seconds=seconds), -60)]
    # one interval of `minutes`: below 5 minutes is needed for a window, so use steps
    steps = [(T0 + timedelta(seconds=s), -60) for s in range(0, seconds + 1, 10)]
    if steps[-1][0] != sightings[1][0]:
        steps.append(sightings[1])
    result = score(steps, buckets=BUCKETS)
    assert result.is_candidate(15) is candidate


def test_200k_sightings_score_quickly_enough_to_be_a_smoke_test():
    sightings = [(T0 + timedelta(seconds=10 * i), -60 - (i % 30)) for i in range(200_000)]
    result = score(sightings, buckets=BUCKETS)
    assert result.sightings == 200_000
    assert len(result.windows) == 1
