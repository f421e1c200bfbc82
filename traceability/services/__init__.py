"""Write use cases of traceability: recording a delivery's codes (distributor), receiving them by scan (hospital),
importing the insurance platform's dispensing and settlement records (fund officer)."""
