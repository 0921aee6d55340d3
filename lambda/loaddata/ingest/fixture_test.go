package ingest_test

import (
	"encoding/json"
	"fmt"
	"math/rand/v2"
)

// velibFeeds generates Vélib'-shaped station_information and station_status
// documents for n stations, the same for the same arguments. Vélib' has about
// 1,500 stations, so n = 1500 gives a realistic size (about 1 MB).
func velibFeeds(n int, lastUpdated int64) (information, status []byte) {
	rng := rand.New(rand.NewPCG(uint64(n), uint64(lastUpdated)))
	infos := make([]map[string]any, n)
	statuses := make([]map[string]any, n)
	for i := range n {
		id := 100000 + i*37
		code := fmt.Sprint(1000 + i)
		capacity := 12 + rng.IntN(50)
		mechanical, ebike := rng.IntN(capacity/2+1), rng.IntN(capacity/2+1)
		infos[i] = map[string]any{
			"station_id": id, "stationCode": code, "name": fmt.Sprintf("Station %d - Rue & Place", i),
			"lat": 48.8 + rng.Float64()/10, "lon": 2.25 + rng.Float64()/5, "capacity": capacity,
			"rental_methods": []string{"CREDITCARD"},
		}
		statuses[i] = map[string]any{
			"station_id": id, "stationCode": code,
			"num_bikes_available": mechanical + ebike, "numBikesAvailable": mechanical + ebike,
			"num_bikes_available_types": []map[string]int{{"mechanical": mechanical}, {"ebike": ebike}},
			"num_docks_available":       capacity - mechanical - ebike, "numDocksAvailable": capacity - mechanical - ebike,
			"is_installed": 1, "is_renting": 1, "is_returning": 1,
			"last_reported": lastUpdated - int64(rng.IntN(600)),
		}
	}
	doc := func(stations []map[string]any, ttl int) []byte {
		b, err := json.Marshal(map[string]any{"last_updated": lastUpdated, "ttl": ttl, "data": map[string]any{"stations": stations}})
		if err != nil {
			panic(err)
		}
		return b
	}
	return doc(infos, 3600), doc(statuses, 60)
}
