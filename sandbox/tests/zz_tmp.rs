#[test]
fn t() {
    use rsa::pkcs8::EncodePrivateKey;
    let mut rng = rsa::rand_core::OsRng;
    let key = rsa::RsaPrivateKey::new(&mut rng, 2048).unwrap();
    let der = key.to_pkcs8_der().unwrap();
    let kp = ring::signature::RsaKeyPair::from_pkcs8(der.as_bytes()).unwrap();
    let rnd = ring::rand::SystemRandom::new();
    let mut sig = vec![0; kp.public().modulus_len()];
    let t = std::time::Instant::now();
    for _ in 0..50 { kp.sign(&ring::signature::RSA_PKCS1_SHA256, &rnd, b"hello world", &mut sig).unwrap(); }
    println!("ring sign {:?}", t.elapsed()/50);
    let pk = ring::signature::UnparsedPublicKey::new(&ring::signature::RSA_PKCS1_2048_8192_SHA256, kp.public().as_ref().to_vec());
    let t = std::time::Instant::now();
    for _ in 0..50 { pk.verify(b"hello world", &sig).unwrap(); }
    println!("ring verify {:?}", t.elapsed()/50);
}
