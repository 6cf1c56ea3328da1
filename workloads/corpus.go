package workloads

func loadCorpus(path string) (Content, error) { return nil, nil }
