use kubeset_derive::CustomResource;

#[derive(CustomResource)]
#[kubeset(group = "example.com", version = "v1", kind = "Foo", colour = "blue")]
pub struct FooSpec {
    pub size: u32,
}

fn main() {}
