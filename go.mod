module github.com/swapbench/swapbench

go 1.26
