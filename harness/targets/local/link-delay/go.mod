module fogbench/linkdelay

go 1.22
